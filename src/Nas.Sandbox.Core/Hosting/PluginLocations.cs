using System.Reflection;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Where a host looks for plugins, in order: the built-in packs (a <c>plugins</c> folder beside the host, as in a
/// published layout, or the repository's <c>artifacts/plugins/&lt;Configuration&gt;</c> recorded at build time in the
/// host assembly's <c>Nas.BuiltInPluginsDir</c> metadata), then the home's <c>plugins</c> folder (<see cref="NasHome"/>:
/// <c>$NAS_HOME/plugins</c>, default <c>~/.nas/plugins</c>), then the
/// plugins of installed packs (<see cref="Packs.PackStore"/>), then folders named by <c>NAS_PLUGIN_PATH</c>
/// (path-separator separated), then folders given on the command line.
/// </summary>
public static class PluginLocations
{
    public const string PathVariable = "NAS_PLUGIN_PATH";

    public static IReadOnlyList<PluginDirectory> For(Assembly host, IEnumerable<string>? extraFolders = null)
    {
        var result = new List<PluginDirectory>();
        string beside = Path.Combine(AppContext.BaseDirectory, "plugins");
        if (Directory.Exists(beside))
            result.Add(new PluginDirectory(beside, StrategySource.BuiltInPack));
        else if (BuiltInFromBuild(host) is { } built)
            result.Add(new PluginDirectory(built, StrategySource.BuiltInPack));
        if (NasHome.TryResolve() is { } home)
            result.Add(new PluginDirectory(home.Plugins, StrategySource.PluginFolder));
        foreach (var pack in Packs.InstalledPacks.All())
            result.Add(new PluginDirectory(pack.PluginsFolder, StrategySource.InstalledPack));
        foreach (
            string folder in (Environment.GetEnvironmentVariable(PathVariable) ?? "").Split(
                Path.PathSeparator,
                StringSplitOptions.RemoveEmptyEntries
            )
        )
            result.Add(new PluginDirectory(Path.GetFullPath(folder), StrategySource.PluginFolder));
        foreach (string folder in extraFolders ?? [])
            result.Add(new PluginDirectory(Path.GetFullPath(folder), StrategySource.PluginFolder));
        // A folder named twice (--plugins X --plugins X, or the built-in packs' folder again) is loaded once, as the
        // first place named it: twice, every plugin in it clashed with itself.
        return result.DistinctBy(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d.Path))).ToArray();
    }

    private static string? BuiltInFromBuild(Assembly host) =>
        host.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Nas.BuiltInPluginsDir")
            ?.Value;
}
