using Nas.Sandbox.Core.Estimators.Tabular;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// What a race sends its cluster workers: the local workers' setup, with the data named and hashed instead of
/// trusted by path (<see cref="DataFingerprint"/>), and no plugin or script folders: code that is not built in goes as
/// one pack, checked by its SHA-256 before a worker loads anything (<see cref="ShippedPack"/>).
/// </summary>
public static class ClusterSetup
{
    /// <summary>A race that trains (or prices with proxies): the local setup plus the dataset's SHA-256, and its code's pack if any.</summary>
    public static JObject ForTraining(JObject localSetup, string dataset, ShippedPack.Shipment? code = null)
    {
        var setup = (JObject)localSetup.DeepClone();
        setup["plugins"] = new JArray();
        setup["scripts"] = new JArray();
        setup["datasetSha256"] = DataFingerprint.RequireDataset(dataset);
        if (code is not null)
            setup["pack"] = code.Pack;
        return setup;
    }

    /// <summary>A tabular race: the table by file name and SHA-256, and how the race reads it.</summary>
    public static JObject ForTable(
        TabularTable table,
        string? columns,
        bool? percent,
        string seeds,
        bool epochs,
        string space
    ) =>
        new()
        {
            ["plugins"] = new JArray(),
            ["scripts"] = new JArray(),
            // Another space's choices are not operations (a worker checks operations are ones it has): none are sent.
            ["space"] = new JObject
            {
                ["name"] = space,
                ["operations"] = new JArray(table.Space == "nb201" ? table.Operations : []),
            },
            ["estimator"] = "tabular",
            ["table"] = new JObject
            {
                ["name"] = Path.GetFileName(table.Path),
                ["sha256"] = DataFingerprint.OfFile(table.Path),
                // A hint only: the worker uses it when the file there has the same hash (one machine, a shared disk).
                ["path"] = Path.GetFullPath(table.Path),
                ["columns"] = columns,
                ["percent"] = percent,
                ["seeds"] = seeds,
                ["epochs"] = epochs,
            },
        };
}
