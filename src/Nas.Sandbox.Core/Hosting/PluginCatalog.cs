using System.Reflection;
using McMaster.NETCore.Plugins;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Loads every plugin found in the plugin directories (folder <c>Name</c> holding <c>Name.dll</c>) into its own
/// collectible load context (McMaster.NETCore.Plugins), sharing the contracts and TorchSharp with the host, and
/// collects the strategy factories they publish. A plugin that fails to load, or was built against another API
/// version, is reported in <see cref="Errors"/> and skipped: one bad plugin never stops the host.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private static readonly Type[] SharedTypes = [typeof(IStrategy), typeof(TorchSharp.torch)];
    private readonly List<PluginLoader> _loaders = [];
    private readonly List<StrategyEntry> _strategies = [];
    private readonly List<PluginLoadError> _errors = [];

    public IReadOnlyList<StrategyEntry> Strategies => _strategies;
    public IReadOnlyList<PluginLoadError> Errors => _errors;

    public static PluginCatalog Load(IEnumerable<PluginDirectory> directories)
    {
        var catalog = new PluginCatalog();
        foreach (var directory in directories.Where(d => Directory.Exists(d.Path)))
            foreach (string folder in Directory.GetDirectories(directory.Path).Order(StringComparer.Ordinal))
            {
                string dll = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
                if (File.Exists(dll)) catalog.LoadPlugin(dll, directory.Kind);
            }
        return catalog;
    }

    private void LoadPlugin(string dll, string kind)
    {
        string name = Path.GetFileNameWithoutExtension(dll);
        try
        {
            if (PluginApiCheck.Incompatibility(name, PluginApiCheck.ReferencedApiVersion(dll)) is { } reason)
            {
                _errors.Add(new PluginLoadError(dll, reason));
                return;
            }
            var loader = PluginLoader.CreateFromAssemblyFile(dll, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
                config.IsUnloadable = true;
            });
            _loaders.Add(loader);
            var assembly = loader.LoadDefaultAssembly();
            string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                             ?? assembly.GetName().Version?.ToString() ?? "0";
            foreach (var type in assembly.GetExportedTypes())
            {
                if (type.IsAbstract || !typeof(IStrategyFactory).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null) continue;
                var factory = (IStrategyFactory)Activator.CreateInstance(type)!;
                _strategies.Add(new StrategyEntry(factory, new StrategySource(kind, dll, version)));
            }
        }
        catch (Exception e)
        {
            _errors.Add(new PluginLoadError(dll, $"Plugin '{name}' could not be loaded: {e.GetType().Name}: {e.Message}"));
        }
    }

    public void Dispose()
    {
        _strategies.Clear();
        foreach (var loader in _loaders) loader.Dispose();
        _loaders.Clear();
    }
}
