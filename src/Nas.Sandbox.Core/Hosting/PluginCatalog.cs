using System.Reflection;
using McMaster.NETCore.Plugins;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Loads every plugin found in the plugin directories (folder <c>Name</c> holding <c>Name.dll</c>) into its own
/// collectible load context (McMaster.NETCore.Plugins), sharing the contracts and TorchSharp with the host, with hot
/// reload on: when a plugin's dll is rebuilt, McMaster loads the new build into a new context and this catalog
/// publishes its strategies to the <see cref="StrategyCatalog"/>, which tells running referees to swap. A plugin that
/// fails to load or reload, or was built against another API version, is reported and skipped (on reload: the old
/// build keeps racing). McMaster swallows exceptions thrown in its Reloaded handler, so the handler catches and
/// reports everything itself.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private static readonly Type[] SharedTypes = [typeof(IStrategy), typeof(TorchSharp.torch)];
    private readonly List<PluginLoader> _loaders = [];
    private readonly List<PluginLoadError> _errors = [];
    private readonly StrategyCatalog _strategies;
    private readonly Lock _lock = new();

    private PluginCatalog(StrategyCatalog strategies) => _strategies = strategies;

    public IReadOnlyList<PluginLoadError> Errors
    {
        get { lock (_lock) return _errors.ToArray(); }
    }

    /// <summary>Raised after a plugin was reloaded (its dll path) or failed to reload (path, message); for notices.</summary>
    public event Action<string, string?>? Reloaded;

    public static PluginCatalog Load(IEnumerable<PluginDirectory> directories, StrategyCatalog strategies, TimeSpan? reloadDelay = null)
    {
        var catalog = new PluginCatalog(strategies);
        foreach (var directory in directories.Where(d => Directory.Exists(d.Path)))
            foreach (string folder in Directory.GetDirectories(directory.Path).Order(StringComparer.Ordinal))
            {
                string dll = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
                if (File.Exists(dll)) catalog.LoadPlugin(dll, directory.Kind, reloadDelay ?? TimeSpan.FromMilliseconds(200));
            }
        return catalog;
    }

    private void LoadPlugin(string dll, string kind, TimeSpan reloadDelay)
    {
        string name = Path.GetFileNameWithoutExtension(dll);
        try
        {
            if (PluginApiCheck.Incompatibility(name, PluginApiCheck.ReferencedApiVersion(dll)) is { } reason)
            {
                lock (_lock) _errors.Add(new PluginLoadError(dll, reason));
                return;
            }
            var loader = PluginLoader.CreateFromAssemblyFile(dll, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
                config.IsUnloadable = true;
                config.EnableHotReload = true;
                config.ReloadDelay = reloadDelay;
                // Read the dll into memory: the file stays free for the next build to overwrite.
                config.LoadInMemory = true;
            });
            foreach (var entry in Discover(loader, kind, dll)) _strategies.Add(entry);
            loader.Reloaded += (_, args) => OnReloaded(args.Loader, kind, dll);
            lock (_lock) _loaders.Add(loader);
        }
        catch (Exception e)
        {
            lock (_lock) _errors.Add(new PluginLoadError(dll, $"Plugin '{name}' could not be loaded: {e.GetType().Name}: {e.Message}"));
        }
    }

    private void OnReloaded(PluginLoader loader, string kind, string dll)
    {
        string name = Path.GetFileNameWithoutExtension(dll);
        try
        {
            if (PluginApiCheck.Incompatibility(name, PluginApiCheck.ReferencedApiVersion(dll)) is { } reason)
                throw new NasException(reason);
            _strategies.ReplaceSource(dll, Discover(loader, kind, dll));
            Reloaded?.Invoke(dll, null);
        }
        catch (Exception e)
        {
            string message = $"Plugin '{name}' could not be reloaded (the previous build keeps running): {e.GetType().Name}: {e.Message}";
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

    private static IReadOnlyList<StrategyEntry> Discover(PluginLoader loader, string kind, string dll)
    {
        var assembly = loader.LoadDefaultAssembly();
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                         ?? assembly.GetName().Version?.ToString() ?? "0";
        string build = assembly.ManifestModule.ModuleVersionId.ToString("N")[..8];
        var entries = new List<StrategyEntry>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.IsAbstract || !typeof(IStrategyFactory).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null) continue;
            var factory = (IStrategyFactory)Activator.CreateInstance(type)!;
            entries.Add(new StrategyEntry(factory, new StrategySource(kind, dll, version, build)));
        }
        return entries;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var loader in _loaders) loader.Dispose();
            _loaders.Clear();
        }
    }
}
