using System.Reflection;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Everything a run needs, wired once: operations, loaded plugins and the strategies they publish, and factories for
/// spaces, datasets and estimators by their command-line names.
/// </summary>
public sealed class SandboxHost : IDisposable
{
    public static readonly IReadOnlyList<string> SpaceNames = ["nb201"];
    public static readonly IReadOnlyList<string> EstimatorNames = ["train"];
    public static readonly IReadOnlyList<string> DatasetNames = ["fashion-mnist"];

    private SandboxHost(OperationRegistry operations, StrategyCatalog strategies, PluginCatalog plugins)
    {
        Operations = operations;
        Strategies = strategies;
        Plugins = plugins;
    }

    public OperationRegistry Operations { get; }
    public PluginCatalog Plugins { get; }
    public StrategyCatalog Strategies { get; }

    /// <summary>Loads plugins from the default locations of <paramref name="hostAssembly"/> plus <paramref name="pluginFolders"/>.</summary>
    public static SandboxHost Create(Assembly hostAssembly, IEnumerable<string>? pluginFolders = null)
    {
        var strategies = new StrategyCatalog();
        var plugins = PluginCatalog.Load(PluginLocations.For(hostAssembly, pluginFolders), strategies);
        return new SandboxHost(OperationRegistry.CreateDefault(), strategies, plugins);
    }

    public ISearchSpace CreateSpace(string name) => name switch
    {
        "nb201" => new Nb201Space(),
        _ => throw new NasException($"Unknown search space '{name}'. Available: {string.Join(", ", SpaceNames)}."),
    };

    /// <summary><c>fashion-mnist</c> or <c>fashion-mnist:DIR</c>.</summary>
    public static DatasetBundle LoadDataset(string spec)
    {
        int colon = spec.IndexOf(':');
        string name = colon < 0 ? spec : spec[..colon];
        string? path = colon < 0 ? null : spec[(colon + 1)..];
        return name switch
        {
            "fashion-mnist" => FashionMnist.Load(path),
            _ => throw new NasException($"Unknown dataset '{name}'. Available: {string.Join(", ", DatasetNames)} (fashion-mnist:DIR for another folder)."),
        };
    }

    public IEstimator CreateEstimator(string name, string dataset, TrainingSettings training, string device) => name switch
    {
        "train" => new TrainingEstimator(LoadDataset(dataset), Operations, training, Devices.Resolve(device)),
        _ => throw new NasException($"Unknown estimator '{name}'. Available: {string.Join(", ", EstimatorNames)}."),
    };

    public void Dispose() => Plugins.Dispose();
}
