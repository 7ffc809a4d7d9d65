using System.Reflection;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// What a worker process is sent when it starts, and how it makes the race's estimator from it: the race's plugin and
/// script folders (installed packs are found in the home folder, as the race finds them), its space's operations (the
/// networks are made of them), the estimator, dataset, training settings, and the worker's own device and threads.
/// </summary>
public static class WorkerSetup
{
    /// <summary>What a worker is sent: everything it needs to make the same estimator the race would.</summary>
    public static JObject Create(
        IEnumerable<string> pluginFolders,
        IEnumerable<string> scriptFolders,
        string spaceName,
        IReadOnlyList<string>? operations,
        string estimator,
        string dataset,
        TrainingSettings training,
        string device,
        int threads
    ) =>
        new()
        {
            ["plugins"] = new JArray(pluginFolders.Select(Path.GetFullPath)),
            ["scripts"] = new JArray(scriptFolders.Select(Path.GetFullPath)),
            ["space"] = new JObject
            {
                ["name"] = spaceName,
                ["operations"] = operations is null ? null : new JArray(operations),
            },
            // A script named by path is found by its full path: the worker's folder is the race's, but say it plainly.
            ["estimator"] = estimator.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)
                ? Path.GetFullPath(estimator)
                : estimator,
            ["dataset"] = dataset,
            ["training"] = JObject.FromObject(training, JournalFormat.Serializer),
            ["device"] = device,
            ["threads"] = threads,
        };

    /// <summary>Makes the estimator a worker was set up for (its host lives as long as the process).</summary>
    public static IEstimator Make(JObject setup, Assembly hostAssembly)
    {
        // Before libtorch runs anything: its intra-op pool is sized once, and a worker's share is what it may use.
        TorchSharp.torch.set_num_threads((int)setup["threads"]!);
        var host = SandboxHost.Create(
            hostAssembly,
            Strings(setup["plugins"]),
            Strings(setup["scripts"]),
            lazyScripts: true,
            // A cluster worker's setup says false: it runs only built-in code and the race's verified pack.
            buildScripts: (bool?)setup["buildScripts"] ?? true
        );
        var space = (JObject)setup["space"]!;
        // The race's operations, from plugins or scripts: the networks the estimator builds are made of them, in the
        // race's space.
        host.CreateSpace((string)space["name"]!, space["operations"] is JArray ? Strings(space["operations"]) : null);
        return host.CreateEstimator(
            (string)setup["estimator"]!,
            (string)setup["dataset"]!,
            setup["training"]!.ToObject<TrainingSettings>(JournalFormat.Serializer)!,
            (string)setup["device"]!,
            (string)space["name"]!
        );
    }

    private static string[] Strings(JToken? token) =>
        token is JArray array ? array.Select(t => (string)t!).ToArray() : [];
}
