using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Finds what a loaded script publishes: every public, concrete class with a public parameterless constructor that
/// implements <see cref="IStrategyFactory"/>, <see cref="IStrategy"/>, <see cref="IEstimator"/>,
/// <see cref="IOperation"/> or <see cref="ISpaceProvider"/> (classes a script declares are nested in its submission class, so nested types count), and
/// the value of the script's final expression when it is one of those. Found by type, never by name.
/// </summary>
/// <remarks>
/// A plain strategy class is wrapped in a <see cref="ScriptStrategyFactory"/> named after the file, but only when the
/// script publishes no factory of its own: a script with a factory says through it how its strategies are made.
/// Every class is instantiated once here (a strategy class too, as a probe), so a constructor that throws is reported
/// now, with its file and line, rather than in the middle of a race.
/// </remarks>
internal sealed class ScriptExports
{
    private static readonly Type[] Published =
    [
        typeof(IStrategyFactory),
        typeof(IStrategy),
        typeof(IEstimator),
        typeof(IOperation),
        typeof(ISpaceProvider),
    ];

    public List<IStrategyFactory> Strategies { get; } = [];
    public List<IEstimator> Estimators { get; } = [];
    public List<IOperation> Operations { get; } = [];
    public List<ISpaceProvider> Spaces { get; } = [];
    public List<ScriptDiagnostic> Diagnostics { get; } = [];

    public bool IsEmpty => Strategies.Count == 0 && Estimators.Count == 0 && Operations.Count == 0 && Spaces.Count == 0;

    public static ScriptExports Collect(
        Assembly assembly,
        object? finalValue,
        string scriptName,
        ScriptSourceMap sources
    )
    {
        var exports = new ScriptExports();
        var candidates = assembly.GetTypes().Where(t => IsPublishable(t, sources)).ToList();
        var strategyTypes = new List<Type>();

        // The final expression's own type is published through that value, not instantiated a second time.
        if (finalValue is not null)
            candidates.Remove(finalValue.GetType());

        foreach (var type in candidates)
        {
            if (typeof(IStrategy).IsAssignableFrom(type) && !typeof(IStrategyFactory).IsAssignableFrom(type))
            {
                strategyTypes.Add(type);
                continue;
            }
            if (exports.TryCreate(type, sources) is { } instance)
                exports.Add(instance);
        }

        switch (finalValue)
        {
            case IStrategyFactory or IEstimator or IOperation or ISpaceProvider:
                exports.Add(finalValue);
                break;
            case IStrategy strategy when IsPublishable(strategy.GetType(), sources):
                strategyTypes.Add(strategy.GetType());
                break;
            case IStrategy strategy:
                var at = sources.Locate(strategy.GetType());
                exports.Diagnostics.Add(
                    new ScriptDiagnostic(
                        at.File,
                        at.Line,
                        at.Column,
                        ScriptDiagnostic.Error,
                        ScriptDiagnosticCodes.StrategyInstance,
                        $"the script ends with an instance of strategy '{strategy.GetType().Name}', but a race needs a fresh instance for every "
                            + "contestant and heat: make the class public with a public parameterless constructor, or end with an IStrategyFactory."
                    )
                );
                break;
        }

        if (exports.Strategies.Count == 0)
        {
            foreach (var type in strategyTypes)
            {
                if (exports.TryCreate(type, sources) is null)
                    continue; // the probe threw: reported
                string name = strategyTypes.Count == 1 ? scriptName : $"{scriptName}-{KebabCase(type.Name)}";
                exports.Strategies.Add(new ScriptStrategyFactory(name, type));
            }
        }
        return exports;
    }

    private static bool IsPublishable(Type type, ScriptSourceMap sources) =>
        type is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false }
        && Published.Any(p => p.IsAssignableFrom(type))
        && type.GetConstructor(Type.EmptyTypes) is not null
        && sources.IsDeclaredPublic(type);

    private object? TryCreate(Type type, ScriptSourceMap sources)
    {
        try
        {
            return Activator.CreateInstance(type);
        }
        catch (Exception e)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            var at = sources.Locate(cause) ?? sources.Locate(type);
            Diagnostics.Add(
                new ScriptDiagnostic(
                    at.File,
                    at.Line,
                    at.Column,
                    ScriptDiagnostic.Error,
                    ScriptDiagnosticCodes.ConstructorThrew,
                    $"the constructor of '{type.Name}' threw {cause.GetType().Name}: {cause.Message}"
                )
            );
            return null;
        }
    }

    private void Add(object instance)
    {
        if (instance is IStrategyFactory factory)
            Strategies.Add(factory);
        if (instance is IEstimator estimator)
            Estimators.Add(estimator);
        if (instance is IOperation operation)
            Operations.Add(operation);
        if (instance is ISpaceProvider space)
            Spaces.Add(space);
    }

    private static string KebabCase(string name) =>
        string.Concat(
            name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString())
        );
}
