using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Where a strategy came from: its kind (built-in pack, plugin folder, script, installed pack), the file it was loaded
/// from (plugin dll or script path), its version, and a build id that changes with every rebuild or edit (the
/// module version id of a plugin, the content hash of a script) so that a swap shows which build replaced which.
/// </summary>
public sealed record StrategySource(string Kind, string Origin, string Version, string Build = "")
{
    public const string BuiltInPack = "built-in pack",
        PluginFolder = "plugin folder",
        Script = "script",
        InstalledPack = "installed pack";

    /// <summary>Version and build for display, e.g. <c>1.0.0 (3f2a9c1e)</c>.</summary>
    public string Display => Build.Length == 0 || Build == Version ? Version : $"{Version} ({Build})";
}

/// <summary>A strategy the host can race, with its origin.</summary>
public sealed record StrategyEntry(IStrategyFactory Factory, StrategySource Source)
{
    public string Name => Factory.Name;
}

/// <summary>A folder whose sub-folders are plugins (each <c>Name/Name.dll</c>), and what kind of source they are.</summary>
public sealed record PluginDirectory(string Path, string Kind);

/// <summary>A plugin that could not be loaded; the host goes on without it.</summary>
public sealed record PluginLoadError(string PluginPath, string Message);
