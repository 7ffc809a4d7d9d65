using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// What one plugin assembly publishes, found by type as scripts' are: an instance of every public, non-abstract type
/// with a parameterless constructor that implements <see cref="IStrategyFactory"/>, <see cref="IEstimator"/>,
/// <see cref="IOperation"/> or <see cref="ISpaceProvider"/> (a type implementing several is published as each).
/// </summary>
internal sealed record PluginExports(
    IReadOnlyList<StrategyEntry> Strategies,
    IReadOnlyList<EstimatorEntry> Estimators,
    IReadOnlyList<IOperation> Operations,
    IReadOnlyList<ISpaceProvider> Spaces
)
{
    public static PluginExports Discover(Assembly assembly, string kind, string dll)
    {
        string version = assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString()
            ?? "0";
        string build = assembly.ManifestModule.ModuleVersionId.ToString("N")[..8];
        var source = new StrategySource(kind, dll, version, build);
        var strategies = new List<StrategyEntry>();
        var estimators = new List<EstimatorEntry>();
        var operations = new List<IOperation>();
        var spaces = new List<ISpaceProvider>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.IsAbstract || type.IsInterface || type.GetConstructor(Type.EmptyTypes) is null)
                continue;
            bool strategy = typeof(IStrategyFactory).IsAssignableFrom(type),
                estimator = typeof(IEstimator).IsAssignableFrom(type),
                operation = typeof(IOperation).IsAssignableFrom(type),
                space = typeof(ISpaceProvider).IsAssignableFrom(type);
            if (!strategy && !estimator && !operation && !space)
                continue;
            object instance = Activator.CreateInstance(type)!;
            if (strategy)
                strategies.Add(new StrategyEntry((IStrategyFactory)instance, source));
            if (estimator)
                estimators.Add(new EstimatorEntry((IEstimator)instance, source));
            if (operation)
                operations.Add((IOperation)instance);
            if (space)
                spaces.Add((ISpaceProvider)instance);
        }
        return new PluginExports(strategies, estimators, operations, spaces);
    }
}

/// <summary>An estimator a plugin publishes, with its origin (kind, dll, version), as <c>nas list</c> shows it.</summary>
public sealed record EstimatorEntry(IEstimator Estimator, StrategySource Source)
{
    public string Name => Estimator.Name;
}
