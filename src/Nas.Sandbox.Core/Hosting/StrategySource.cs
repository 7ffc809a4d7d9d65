using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>Where a strategy came from: its kind (built-in pack, plugin folder, script, installed pack), path and version.</summary>
public sealed record StrategySource(string Kind, string Origin, string Version)
{
    public const string BuiltInPack = "built-in pack", PluginFolder = "plugin folder";
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
