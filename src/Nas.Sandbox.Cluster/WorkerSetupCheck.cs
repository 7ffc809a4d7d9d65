using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// What a worker accepts from a race, and how it turns the race's setup into its own: nothing runs that the worker
/// did not verify. Built-in estimators, spaces and operations, and those of the pack the race sent with the setup once it is
/// verified and installed (<see cref="ShippedPack"/>); plugin or script folders by path are refused. The data set and
/// the table are found on this machine by name and used only when their SHA-256 is the race's.
/// </summary>
public static class WorkerSetupCheck
{
    public sealed record Outcome(JObject? Setup, string? Refusal);

    /// <param name="pack">The pack the race sent, verified and installed; null when it sent none.</param>
    public static Outcome Localize(JObject raceSetup, WorkerOptions options, InstalledPack? pack = null)
    {
        var setup = (JObject)raceSetup.DeepClone();
        setup.Remove("pack");
        if (Strings(setup["plugins"]).Length > 0 || Strings(setup["scripts"]).Length > 0)
            return Refuse(
                "it names plugin or script folders by path; a worker loads code only from the verified pack a race sends with its setup"
            );
        string[] packEstimators = pack?.Manifest.Estimators.ToArray() ?? [];
        string estimator = (string?)setup["estimator"] ?? "";
        if (!SandboxHost.EstimatorNames.Contains(estimator) && !packEstimators.Contains(estimator))
            return Refuse(
                $"estimator '{estimator}' is neither built in ({string.Join(", ", SandboxHost.EstimatorNames)}) nor in the race's pack"
                    + (pack is null ? " (it sent none)" : $" ({ShippedPack.Describe(pack.Manifest)})")
            );
        string space = (string?)setup["space"]?["name"] ?? "nb201";
        if (!SpaceCatalog.BuiltInNames.Contains(space) && !(pack?.Manifest.Spaces.Contains(space) ?? false))
            return Refuse(
                $"search space '{space}' is neither built in ({string.Join(", ", SpaceCatalog.BuiltInNames)}) nor in the race's pack"
                    + (pack is null ? " (it sent none)" : $" ({ShippedPack.Describe(pack.Manifest)})")
            );
        var known = OperationRegistry.CreateDefault().Names.Concat(pack?.Manifest.Operations ?? []).ToHashSet();
        if (setup["space"]?["operations"] is JArray operations)
        {
            var foreign = operations.Select(o => (string)o!).Where(o => !known.Contains(o)).ToArray();
            if (foreign.Length > 0)
                return Refuse($"operation(s) {string.Join(", ", foreign)} are neither built in nor in the race's pack");
        }
        // Not even the build's example scripts: a race that uses one ships it in its pack, and the worker's own copy
        // (loaded first, it would keep the names) may differ from the race's.
        setup["buildScripts"] = false;
        if (pack is not null)
        {
            // The slots load the pack as a race loads its plugin and script folders; nothing else.
            setup["plugins"] = new JArray(new[] { pack.PluginsFolder }.Where(Directory.Exists));
            setup["scripts"] = new JArray(new[] { pack.ScriptsFolder }.Where(Directory.Exists));
        }
        if (setup["table"] is JObject table)
        {
            string name = (string)table["name"]!;
            string sha = (string)table["sha256"]!;
            string[] candidates =
            [
                Path.Combine(ShippedTables.Folder, name),
                .. options.TableFolders.Select(folder => Path.Combine(folder, name)),
                (string?)table["path"] ?? "",
            ];
            string? found = candidates.FirstOrDefault(c =>
                c.Length > 0 && File.Exists(c) && DataFingerprint.OfFile(c) == sha
            );
            if (found is null)
                return Refuse(
                    $"table {name} with SHA-256 {sha[..12]}… is not on this machine (looked in: {string.Join(", ", candidates.Where(c => c.Length > 0))}); copy it into a folder given to nas worker --tables"
                );
            table["path"] = found;
            return new Outcome(setup, null);
        }
        string dataset = (string)setup["dataset"]!;
        string datasetSha = (string?)setup["datasetSha256"] ?? "";
        string[] folders = [DataFingerprint.DatasetFolder(dataset), FashionMnist.DefaultDirectory];
        string? folder = folders.Distinct().FirstOrDefault(f => DataFingerprint.OfDataset(f) == datasetSha);
        if (folder is null)
            return Refuse(
                $"data set {dataset.Split(':')[0]} with SHA-256 {(datasetSha.Length >= 12 ? datasetSha[..12] : datasetSha)}… is not on this machine (looked in: {string.Join(", ", folders.Distinct())}); install {FashionMnist.DebianPackage}"
            );
        setup["dataset"] = $"fashion-mnist:{folder}";
        return new Outcome(setup, null);
    }

    private static Outcome Refuse(string why) => new(null, why);

    private static string[] Strings(JToken? token) =>
        token is JArray array ? array.Select(t => (string)t!).ToArray() : [];
}
