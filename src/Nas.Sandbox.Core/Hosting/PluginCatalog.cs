using McMaster.NETCore.Plugins;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Loads every plugin found in the plugin directories (folder <c>Name</c> holding <c>Name.dll</c>) into its own
/// collectible load context (McMaster.NETCore.Plugins), sharing the contracts (both assemblies) and TorchSharp with the
/// host, with hot reload on: when a plugin's dll is rebuilt, McMaster loads the new build into a new context and this
/// catalog publishes its exports again (<see cref="PluginExports"/>): strategies to the <see cref="StrategyCatalog"/>, which
/// tells running referees to swap, operations to the host's <see cref="OperationRegistry"/>, search spaces to its
/// <see cref="SpaceCatalog"/>, estimators to
/// <see cref="Estimators"/>. A plugin that fails to load or reload, was built against another API version, or
/// publishes an operation or estimator name another source already has, is reported and skipped (on reload: the old
/// build keeps racing). McMaster swallows exceptions thrown in its Reloaded handler, so the handler catches and
/// reports everything itself.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    /// <summary>One type identity for host and plugins: both contract assemblies (see <see cref="PluginApiCheck"/>) and TorchSharp.</summary>
    private static readonly Type[] SharedTypes = [typeof(IStrategy), typeof(IOperation), typeof(TorchSharp.torch)];
    private readonly Dictionary<string, PluginLoader> _loaders = new(StringComparer.Ordinal);
    private readonly List<PluginLoader> _retired = [];
    private TimeSpan _reloadDelay = TimeSpan.FromMilliseconds(200);
    private readonly List<PluginLoadError> _errors = [];
    private readonly StrategyCatalog _strategies;
    private readonly OperationRegistry _operations;
    private readonly SpaceCatalog _spaces;
    private readonly Dictionary<string, EstimatorEntry> _estimators = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private PluginCatalog(StrategyCatalog strategies, OperationRegistry operations, SpaceCatalog spaces) =>
        (_strategies, _operations, _spaces) = (strategies, operations, spaces);

    public IReadOnlyList<PluginLoadError> Errors
    {
        get
        {
            lock (_lock)
                return _errors.ToArray();
        }
    }

    /// <summary>Estimators published by plugins, by name.</summary>
    public IReadOnlyList<EstimatorEntry> Estimators
    {
        get
        {
            lock (_lock)
                return _estimators.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }
    }

    public EstimatorEntry? FindEstimator(string name)
    {
        lock (_lock)
            return _estimators.GetValueOrDefault(name);
    }

    /// <summary>Raised after a plugin was reloaded (its dll path) or failed to reload (path, message); for notices.</summary>
    public event Action<string, string?>? Reloaded;

    /// <param name="operations">Where plugins' operations go (the host's registry); a private default registry when null.</param>
    /// <param name="spaces">Where plugins' search spaces go (the host's catalog); a private default catalog when null.</param>
    public static PluginCatalog Load(
        IEnumerable<PluginDirectory> directories,
        StrategyCatalog strategies,
        TimeSpan? reloadDelay = null,
        OperationRegistry? operations = null,
        SpaceCatalog? spaces = null
    )
    {
        var catalog = new PluginCatalog(
            strategies,
            operations ?? OperationRegistry.CreateDefault(),
            spaces ?? SpaceCatalog.CreateDefault()
        )
        {
            _reloadDelay = reloadDelay ?? TimeSpan.FromMilliseconds(200),
        };
        foreach (var directory in directories.Where(d => Directory.Exists(d.Path)))
        foreach (string folder in Directory.GetDirectories(directory.Path).Order(StringComparer.Ordinal))
        {
            string dll = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
            if (File.Exists(dll))
                catalog.LoadPlugin(dll, directory.Kind);
        }
        return catalog;
    }

    /// <summary>
    /// Loads a plugin that appeared after the catalog was made, or loads again one whose folder was replaced rather
    /// than rebuilt in place (an installed pack's new version, which McMaster's file watcher cannot see): the new
    /// build's exports replace the old one's, and running referees swap to it as after a rebuild. On failure the old
    /// build keeps racing and <see cref="Reloaded"/> reports why.
    /// </summary>
    /// <returns>Null when loaded, otherwise why not.</returns>
    public string? Refresh(string dll, string kind)
    {
        PluginLoader? old;
        lock (_lock)
            old = _loaders.GetValueOrDefault(dll);
        return LoadPlugin(dll, kind, replacing: old);
    }

    private string? LoadPlugin(string dll, string kind, PluginLoader? replacing = null)
    {
        string name = Path.GetFileNameWithoutExtension(dll);
        PluginLoader? loader = null;
        try
        {
            if (PluginApiCheck.Incompatibility(name, PluginApiCheck.ReferencedApiVersion(dll)) is { } reason)
                throw new NasException(reason);
            loader = PluginLoader.CreateFromAssemblyFile(dll, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
                config.IsUnloadable = true;
                config.EnableHotReload = true;
                config.ReloadDelay = _reloadDelay;
                // Read the dll into memory: the file stays free for the next build to overwrite.
                config.LoadInMemory = true;
            });
            var exports = PluginExports.Discover(loader.LoadDefaultAssembly(), kind, dll);
            Publish(name, dll, exports);
            if (replacing is null)
                foreach (var entry in exports.Strategies)
                    _strategies.Add(entry);
            else
                _strategies.ReplaceSource(dll, exports.Strategies);
            var loaded = loader;
            loader.Reloaded += (_, args) =>
            {
                if (IsCurrent(dll, loaded))
                    OnReloaded(args.Loader, kind, dll);
            };
            lock (_lock)
            {
                _loaders[dll] = loader;
                // Not disposed now: contestants (and a race's estimator) may still run the old build, and its folder
                // is gone, so unloading it could break a dependency it loads late. It goes with the catalog.
                if (replacing is not null)
                    _retired.Add(replacing);
            }
            if (replacing is not null)
                Reloaded?.Invoke(dll, null);
            return null;
        }
        catch (Exception e)
        {
            loader?.Dispose();
            string message =
                e is NasException ? e.Message : $"Plugin '{name}' could not be loaded: {e.GetType().Name}: {e.Message}";
            if (replacing is null)
            {
                lock (_lock)
                    _errors.Add(new PluginLoadError(dll, message));
                return message;
            }
            message = $"Plugin '{name}' could not be reloaded (the previous build keeps running): {message}";
            _strategies.ReportFailure(dll, message);
            Reloaded?.Invoke(dll, message);
            return message;
        }
    }

    private bool IsCurrent(string dll, PluginLoader loader)
    {
        lock (_lock)
            return _loaders.GetValueOrDefault(dll) == loader;
    }

    private void OnReloaded(PluginLoader loader, string kind, string dll)
    {
        string name = Path.GetFileNameWithoutExtension(dll);
        try
        {
            if (PluginApiCheck.Incompatibility(name, PluginApiCheck.ReferencedApiVersion(dll)) is { } reason)
                throw new NasException(reason);
            var exports = PluginExports.Discover(loader.LoadDefaultAssembly(), kind, dll);
            Publish(name, dll, exports);
            _strategies.ReplaceSource(dll, exports.Strategies);
            Reloaded?.Invoke(dll, null);
        }
        catch (Exception e)
        {
            string detail = e is NasException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            string message = $"Plugin '{name}' could not be reloaded (the previous build keeps running): {detail}";
            try
            {
                _strategies.ReportFailure(dll, message);
                Reloaded?.Invoke(dll, message);
            }
            catch (Exception inner)
            {
                Console.Error.WriteLine($"warning: {message} (and reporting it failed: {inner.Message})");
            }
        }
    }

    /// <summary>
    /// Registers a plugin's operations and estimators, replacing those of its previous build. All or nothing: a name
    /// already taken by another source (a built-in, another plugin, a script) refuses the whole build before anything
    /// is published. Operations the new build no longer defines stay registered: spaces of running races may name them.
    /// A race keeps the estimator instance it started with; the new build's serves the next race.
    /// </summary>
    private void Publish(string name, string dll, PluginExports exports)
    {
        string operationSource = $"plugin {dll}";
        lock (_lock)
        {
            foreach (var group in exports.Operations.GroupBy(o => o.Name).Where(g => g.Count() > 1))
                throw new NasException(
                    $"Plugin '{name}' ({dll}) defines operation '{group.Key}' {group.Count()} times."
                );
            foreach (var operation in exports.Operations)
                if (_operations.Contains(operation.Name) && _operations.SourceOf(operation.Name) != operationSource)
                    throw new NasException(
                        $"Plugin '{name}' ({dll}): operation '{operation.Name}' is already registered by {_operations.SourceOf(operation.Name)}."
                    );
            foreach (var group in exports.Estimators.GroupBy(e => e.Name).Where(g => g.Count() > 1))
                throw new NasException(
                    $"Plugin '{name}' ({dll}) defines estimator '{group.Key}' {group.Count()} times."
                );
            foreach (var estimator in exports.Estimators)
            {
                if (SandboxHost.EstimatorNames.Contains(estimator.Name))
                    throw new NasException(
                        $"Plugin '{name}' ({dll}): estimator '{estimator.Name}' is a built-in estimator's name."
                    );
                if (_estimators.TryGetValue(estimator.Name, out var other) && other.Source.Origin != dll)
                    throw new NasException(
                        $"Plugin '{name}' ({dll}): estimator '{estimator.Name}' is already provided by {other.Source.Origin}."
                    );
            }
            foreach (var group in exports.Spaces.GroupBy(e => e.Name).Where(g => g.Count() > 1))
                throw new NasException(
                    $"Plugin '{name}' ({dll}) defines search space '{group.Key}' {group.Count()} times."
                );
            foreach (var space in exports.Spaces)
                _spaces.CheckFree(space, operationSource);
            foreach (var operation in exports.Operations)
                _operations.Register(operation, operationSource, replace: true);
            foreach (var space in exports.Spaces)
                _spaces.Register(space, operationSource);
            foreach (var stale in _estimators.Values.Where(e => e.Source.Origin == dll).ToArray())
                _estimators.Remove(stale.Name);
            foreach (var estimator in exports.Estimators)
                _estimators[estimator.Name] = estimator;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var loader in _loaders.Values.Concat(_retired))
                loader.Dispose();
            _retired.Clear();
            _loaders.Clear();
        }
    }
}
