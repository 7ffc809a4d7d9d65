namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Finds out what a plugin provides, for a manifest being built, by loading it the way a host would. This
/// runs the author's own code on the author's machine (a build); verifying or listing a pack never does.
/// </summary>
public static class PackContentsInspector
{
    /// <summary>What the plugin in <paramref name="pluginFolder"/> (holding <c>Name/Name.dll</c>'s files) provides.</summary>
    public static PackProvides OfPlugin(string pluginFolder)
    {
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(pluginFolder));
        string dll = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        var strategies = new StrategyCatalog();
        var operations = Evaluation.Operations.OperationRegistry.CreateDefault();
        var spaces = SpaceCatalog.CreateDefault();
        // The catalog wants a folder of plugin folders: point it at the parent and keep only this plugin.
        using var catalog = PluginCatalog.Load(
            [new PluginDirectory(Path.GetDirectoryName(folder)!, "pack build")],
            strategies,
            operations: operations,
            spaces: spaces
        );
        if (catalog.Errors.FirstOrDefault(e => e.PluginPath == dll) is { } error)
            throw new PackException(error.Message);
        return new PackProvides(
            strategies
                .All.Where(s => s.Source.Origin == dll)
                .Select(s => s.Name)
                .Order(StringComparer.Ordinal)
                .ToArray(),
            catalog.Estimators.Where(e => e.Source.Origin == dll).Select(e => e.Name).ToArray(),
            operations
                .Names.Where(n => operations.SourceOf(n) == $"plugin {dll}")
                .Order(StringComparer.Ordinal)
                .ToArray(),
            spaces.Entries.Where(e => e.Source == $"plugin {dll}").Select(e => e.Name).ToArray()
        );
    }
}
