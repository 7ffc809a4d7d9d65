using System.Reflection;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting.Scripts;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Everything a run needs, wired once: operations, loaded plugins and scripts and the strategies they publish, and
/// factories for spaces, datasets and estimators by their command-line names (or script paths).
/// </summary>
public sealed partial class SandboxHost : IDisposable
{
    /// <summary>The built-in spaces; <see cref="Spaces"/> adds those of plugins, packs and scripts.</summary>
    public static readonly IReadOnlyList<string> SpaceNames = SpaceCatalog.BuiltInNames;
    public static readonly IReadOnlyList<string> EstimatorNames =
    [
        "train",
        "tabular",
        .. Estimators.ZeroCost.ZeroCostProxy.All.Select(p => p.Name),
    ];
    public static readonly IReadOnlyList<string> DatasetNames = ["fashion-mnist"];

    private SandboxHost(
        OperationRegistry operations,
        StrategyCatalog strategies,
        PluginCatalog plugins,
        ScriptCatalog scripts,
        SpaceCatalog spaces
    )
    {
        Spaces = spaces;
        Operations = operations;
        Strategies = strategies;
        Plugins = plugins;
        Scripts = scripts;
    }

    public OperationRegistry Operations { get; }

    /// <summary>Search spaces by name: built-in, then those plugins, packs and scripts publish.</summary>
    public SpaceCatalog Spaces { get; }
    public PluginCatalog Plugins { get; }
    public ScriptCatalog Scripts { get; }
    public StrategyCatalog Strategies { get; }

    /// <summary>
    /// Loads plugins, then scripts, from the default locations of <paramref name="hostAssembly"/> plus the given folders.
    /// Plugins and scripts that fail are reported in <see cref="Warnings"/>; the host goes on without them.
    /// </summary>
    /// <param name="lazyScripts">
    /// Compile the script folders only when a name is not found among built-ins and plugins (a strategy, estimator or
    /// operation), so that a race of built-in strategies starts without paying for Roslyn (about two seconds cold).
    /// </param>
    /// <param name="buildScripts">False leaves out the build's own <c>scripts/</c> (<see cref="ScriptLocations.For"/>).</param>
    public static SandboxHost Create(
        Assembly hostAssembly,
        IEnumerable<string>? pluginFolders = null,
        IEnumerable<string>? scriptFolders = null,
        bool lazyScripts = false,
        bool buildScripts = true
    )
    {
        var operations = OperationRegistry.CreateDefault();
        var spaces = SpaceCatalog.CreateDefault();
        var strategies = new StrategyCatalog();
        var plugins = PluginCatalog.Load(
            PluginLocations.For(hostAssembly, pluginFolders),
            strategies,
            operations: operations,
            spaces: spaces
        );
        var scripts = new ScriptCatalog(new ScriptCompiler(), strategies, operations, spaces, name =>
            EstimatorOwner(plugins, name)
        );
        var host = new SandboxHost(operations, strategies, plugins, scripts, spaces)
        {
            _scriptFolders = ScriptLocations.For(hostAssembly, scriptFolders, buildScripts).ToArray(),
        };
        if (!lazyScripts)
            host.LoadScriptFolders();
        return host;
    }

    /// <summary>
    /// Who provides estimator <paramref name="name"/> before any script could (a race resolves built-ins, then plugins,
    /// then scripts): "the built-in estimator", "plugin DLL", or null.
    /// </summary>
    public string? EstimatorOwner(string name) => EstimatorOwner(Plugins, name);

    private static string? EstimatorOwner(PluginCatalog plugins, string name) =>
        ScriptCatalog.BuiltInEstimatorOwner(name)
        ?? (plugins.FindEstimator(name) is { } plugin ? $"plugin {plugin.Source.Origin}" : null);

    private IReadOnlyList<string> _scriptFolders = [];
    private bool _scriptFoldersLoaded;

    /// <summary>Whether the script folders were compiled (a lazy host compiles them when a name is not found otherwise).</summary>
    public bool ScriptFoldersLoaded => _scriptFoldersLoaded;

    /// <summary>Compiles every script of the script folders (once).</summary>
    public void LoadScriptFolders()
    {
        if (_scriptFoldersLoaded)
            return;
        _scriptFoldersLoaded = true;
        foreach (string folder in _scriptFolders)
            Scripts.LoadFolder(folder);
        foreach (var pack in Packs.InstalledPacks.All())
            Scripts.LoadFolder(
                pack.ScriptsFolder,
                StrategySource.InstalledPack,
                pack.Manifest.Version.ToNormalizedString()
            );
    }

    /// <summary>A strategy by name or .csx path: built-ins and plugins first, then the script folders.</summary>
    public StrategyEntry ResolveStrategy(string nameOrPath)
    {
        if (nameOrPath.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
            RequireScript(nameOrPath);
        try
        {
            try
            {
                var found = Strategies.Get(nameOrPath);
                WarnOfUncompiledNamesakes(found);
                return found;
            }
            catch (NasException) when (!_scriptFoldersLoaded)
            {
                LoadScriptFolders();
                return Strategies.Get(nameOrPath);
            }
        }
        catch (NasException e) when (NotAScript(nameOrPath) is { } path)
        {
            throw new NasException($"Unknown strategy '{nameOrPath}': {path}.", e);
        }
        catch (NasException e) when (!nameOrPath.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
        {
            throw WithScriptErrors(e, nameOrPath);
        }
    }

    /// <summary>
    /// An unknown-name error told which scripts failed to load: a script that does not compile, or is refused for a
    /// name it takes, publishes nothing, so the name the user meant is "unknown"; the reason must come with it (a race
    /// prints load warnings only once it starts). A script whose file is the name (a script's strategy is named after
    /// its file) is shown in full; others are listed.
    /// </summary>
    private NasException WithScriptErrors(NasException unknown, string name)
    {
        var failed = Scripts.Errors;
        if (failed.Count == 0)
            return unknown;
        string nl = Environment.NewLine;
        var named = failed.FirstOrDefault(f =>
            Path.GetFileNameWithoutExtension(f.Path) is var stem
            && (name == stem || name.StartsWith(stem + "-", StringComparison.Ordinal))
        );
        return new NasException(
            named is not null
                ? $"{unknown.Message}{nl}{named.Path} did not load, so it defines nothing:{nl}{named.Message}"
                : $"{unknown.Message}{nl}{failed.Count} script(s) did not load, so they define nothing: "
                    + $"{string.Join(", ", failed.Select(f => f.Path))} (nas script check FILE shows why).",
            unknown
        );
    }

    /// <summary>
    /// Why <paramref name="name"/>, an unknown strategy or estimator, is not a script either, when it names a file or
    /// folder: only a <c>.csx</c> file is compiled as a script, and "unknown name" would not say so.
    /// </summary>
    private static string? NotAScript(string name) =>
        name.EndsWith(".csx", StringComparison.OrdinalIgnoreCase) ? null
        : File.Exists(name) ? $"{name} is a file, but not a script (a script is a .csx file)"
        : Directory.Exists(name)
            ? $"{name} is a folder, not a script (a script is a .csx file; --scripts takes folders)"
        : null;

    /// <summary>Plugins and scripts that could not be loaded, and strategy name clashes.</summary>
    public IEnumerable<string> Warnings =>
        Plugins
            .Errors.Select(e => e.Message)
            .Concat(Scripts.Errors.Select(e => e.Message))
            .Concat(Strategies.Warnings)
            .Concat(UncompiledNamesakes) // the same text as a full load's, which may follow: said once
            .Concat(Packs.InstalledPacks.Problems())
            .Distinct();

    /// <summary>Makes sure a script named on the command line is loaded; its errors become one <see cref="NasException"/>.</summary>
    public void RequireScript(string path)
    {
        if (Directory.Exists(path))
            throw new NasException(
                $"Script {path} is a folder, not a script file (--scripts takes folders of scripts)."
            );
        if (!File.Exists(path))
            throw new NasException($"Script {path} not found.");
        if (!Scripts.Load(path))
            throw new NasException(
                string.Join(
                    Environment.NewLine,
                    Scripts
                        .Errors.Where(e => e.Path == Path.GetFullPath(path))
                        .Select(e => e.Message)
                        .DefaultIfEmpty($"Script {path} did not compile.")
                )
            );
    }

    /// <summary>
    /// A space by name (built-in, plugin, pack or script; script folders are compiled when the name is not found
    /// otherwise); <paramref name="operations"/> replaces the space's operation list (e.g. with script operations).
    /// A space from a plugin or script is validated once (<see cref="SpaceValidator"/>) at the race's
    /// <paramref name="channels"/> and <paramref name="cellsPerStage"/>: whatever it breaks is one
    /// <see cref="NasException"/> naming its source.
    /// </summary>
    public ISearchSpace CreateSpace(
        string name,
        IReadOnlyList<string>? operations = null,
        int channels = 16,
        int cellsPerStage = 5
    )
    {
        var entry = ResolveSpace(name);
        operations = UnlessDefault(entry, operations);
        if (operations is { Count: > 0 })
        {
            if (operations.Any(op => !Operations.Contains(op)))
                LoadScriptFolders(); // script operations
            var unknown = operations.Where(op => !Operations.Contains(op)).ToArray();
            if (unknown.Length > 0)
                throw WithScriptErrors(
                    new NasException(
                        $"--operations: unknown operation(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", Operations.Names)}."
                    ),
                    unknown[0]
                );
            var twice = operations.GroupBy(op => op, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
                throw new NasException(
                    $"--operations lists {twice.Key} {twice.Count()} times; each operation is one choice, listed once."
                );
            if (operations.Count < 2)
                throw new NasException("--operations needs at least two distinct operations.");
        }
        ISearchSpace space;
        try
        {
            space = entry.Provider.CreateSpace(operations is { Count: > 0 } ? operations : null);
        }
        catch (Exception e) when (e is not NasException)
        {
            throw new NasException(
                $"Search space '{name}' ({entry.Source}) cannot be made"
                    + (operations is { Count: > 0 } ? $" with --operations {string.Join(",", operations)}" : "")
                    + $": {e.Message}"
            );
        }
        if (entry.Source != SpaceCatalog.BuiltIn)
        {
            string key =
                $"{name}|{entry.Provider.GetHashCode()}|{string.Join(",", operations ?? [])}|{channels}|{cellsPerStage}";
            lock (_validated)
            {
                if (_validated.Contains(key))
                    return space;
                // Added only once it passed: a space that fails is checked (and refused) again next time.
                SpaceValidator.Validate(
                    entry.Provider,
                    space,
                    entry.Source,
                    SpaceValidator.Probe(channels, cellsPerStage, BuildOperation)
                );
                _validated.Add(key);
            }
        }
        return space;
    }

    private readonly HashSet<string> _validated = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when <paramref name="operations"/> is the space's own default list (a journal or a contestant process
    /// hands back the space's choices, which for a space like <c>nats-size</c> are not operations), else the list.
    /// </summary>
    public static IReadOnlyList<string>? UnlessDefault(SpaceEntry entry, IReadOnlyList<string>? operations)
    {
        if (operations is null or { Count: 0 })
            return null;
        try
        {
            return entry.Provider.CreateSpace(null).Operations.SequenceEqual(operations, StringComparer.Ordinal)
                ? null
                : operations;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return operations; // the provider's own error comes when the space is made
        }
    }

    /// <summary>An operation of this host's registry as a module, as a space's network builder gets it.</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> BuildOperation(
        string name,
        int channelsIn,
        int channelsOut,
        int stride
    ) => Operations.Get(name).Build(channelsIn, channelsOut, stride);

    /// <summary>The space named <paramref name="name"/> with its source; script folders are compiled when it is not found otherwise.</summary>
    public SpaceEntry ResolveSpace(string name)
    {
        if (Spaces.Find(name) is null && !_scriptFoldersLoaded)
            LoadScriptFolders();
        try
        {
            return Spaces.Get(name);
        }
        catch (NasException e) when (Spaces.Find(name) is null)
        {
            throw WithScriptErrors(e, name);
        }
    }

    /// <summary><paramref name="spec"/> with its folder, if it names one, as a full path (<c>fashion-mnist:/data/fmnist</c>).</summary>
    public static string FullDatasetSpec(string spec)
    {
        int colon = spec.IndexOf(':');
        return colon < 0 || spec.Length == colon + 1
            ? spec
            : $"{spec[..colon]}:{Path.GetFullPath(spec[(colon + 1)..])}";
    }

    /// <summary><c>fashion-mnist</c> or <c>fashion-mnist:DIR</c>.</summary>
    public static DatasetBundle LoadDataset(string spec)
    {
        int colon = spec.IndexOf(':');
        string name = colon < 0 ? spec : spec[..colon];
        string? path = colon < 0 ? null : spec[(colon + 1)..];
        return name switch
        {
            "fashion-mnist" => FashionMnist.Load(path),
            _ => throw new NasException(
                $"Unknown dataset '{name}'. Available: {string.Join(", ", DatasetNames)} (fashion-mnist:DIR for another folder)."
            ),
        };
    }

    /// <summary>
    /// An estimator by name: a built-in, then one a plugin publishes, then one defined by a script (by its name, or the
    /// script's path).
    /// </summary>
    /// <param name="space">The race's space: the training estimator and the proxies build its networks.</param>
    public IEstimator CreateEstimator(
        string name,
        string dataset,
        TrainingSettings training,
        string device,
        string space = "nb201"
    )
    {
        if (name == "train")
            return new TrainingEstimator(
                LoadDataset(dataset),
                Operations,
                training,
                Devices.Resolve(device),
                ResolveSpace(space).Provider
            );
        if (Estimators.ZeroCost.ZeroCostProxy.All.FirstOrDefault(p => p.Name == name) is { } proxy)
        {
            var data = LoadDataset(dataset);
            return new Estimators.ZeroCost.ZeroCostEstimator(
                proxy,
                new TrainingEstimator(
                    data,
                    Operations,
                    training,
                    Devices.Resolve(device),
                    ResolveSpace(space).Provider
                ),
                data,
                training.BatchSize
            );
        }
        if (name.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
        {
            RequireScript(name);
            var defined = Scripts.Scripts.Single(s => s.Path == Path.GetFullPath(name)).Estimators;
            return defined.Count == 1
                ? defined[0]
                : throw new NasException(
                    $"Script {name} defines {defined.Count} estimators; name one of them with --estimator NAME."
                );
        }
        if (Plugins.FindEstimator(name) is { } plugin)
            return plugin.Estimator;
        if (!Scripts.Estimators.ContainsKey(name))
            LoadScriptFolders();
        if (Scripts.Estimators.TryGetValue(name, out var scripted))
            return scripted;
        var available = EstimatorNames
            .Concat(Plugins.Estimators.Select(e => e.Name))
            .Concat(Scripts.Estimators.Keys)
            .Distinct()
            .Order(StringComparer.Ordinal);
        throw NotAScript(name) is { } path
            ? new NasException($"Unknown estimator '{name}': {path}.")
            : WithScriptErrors(
                new NasException($"Unknown estimator '{name}'. Available: {string.Join(", ", available)}."),
                name
            );
    }

    /// <summary>
    /// The data strategies may train on (DARTS, GDAS) in a race with <paramref name="estimator"/>: the training
    /// estimator's own data when it trains (one load for both), otherwise <paramref name="dataset"/>, loaded only when a
    /// contestant first touches it (a tabular race of sample-based strategies never loads it).
    /// </summary>
    public Racing.Training.RaceTrainingData CreateTrainingData(
        IEstimator estimator,
        string dataset,
        TrainingSettings training,
        string device
    ) =>
        estimator is TrainingEstimator trainer
            ? Racing.Training.RaceTrainingData.For(trainer)
            : new Racing.Training.RaceTrainingData(
                () => LoadDataset(dataset),
                Operations,
                training,
                Devices.ResolveWhenNeeded(device)
            );

    private Packs.PackWatcher? _packWatcher;

    /// <summary>
    /// From now on, load packs installed while this host runs and switch to new versions of installed ones
    /// (<see cref="Packs.PackWatcher"/>); <paramref name="notice"/> hears what changed.
    /// </summary>
    public void WatchPacks(Action<string> notice)
    {
        if (_packWatcher is not null)
            return;
        try
        {
            _packWatcher = new Packs.PackWatcher(this, Packs.PackStore.ForUser());
            _packWatcher.Changed += notice;
        }
        catch (Exception e) when (e is NasException or IOException or UnauthorizedAccessException)
        {
            notice($"installed packs are not watched: {e.Message}");
        }
    }

    public void Dispose()
    {
        _packWatcher?.Dispose();
        Scripts.Dispose();
        Plugins.Dispose();
    }
}
