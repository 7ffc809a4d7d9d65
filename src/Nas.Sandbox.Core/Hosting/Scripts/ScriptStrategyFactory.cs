using System.ComponentModel;
using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Publishes a script's plain <see cref="IStrategy"/> class (one with a public parameterless constructor) as a strategy,
/// so that the shortest useful script is just the strategy class: the host needs a factory to make a fresh instance per
/// contestant per heat. Named after the script file (<c>greedy-local-search.csx</c> → <c>greedy-local-search</c>), no
/// knobs; the description is the class's <see cref="DescriptionAttribute"/> if it has one, else its name.
/// </summary>
public sealed class ScriptStrategyFactory : IStrategyFactory
{
    private readonly Type _strategyType;

    public ScriptStrategyFactory(string name, Type strategyType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (
            !typeof(IStrategy).IsAssignableFrom(strategyType)
            || strategyType.IsAbstract
            || strategyType.GetConstructor(Type.EmptyTypes) is null
        )
            throw new ArgumentException(
                $"{strategyType.Name} must be a concrete IStrategy with a public parameterless constructor.",
                nameof(strategyType)
            );
        Name = name;
        _strategyType = strategyType;
        Description = strategyType.GetCustomAttribute<DescriptionAttribute>()?.Description is { Length: > 0 } text
            ? text
            : $"{strategyType.Name} (script strategy)";
    }

    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<Knob> Knobs => [];

    /// <summary>The strategy class this factory instantiates.</summary>
    public Type StrategyType => _strategyType;

    public IStrategy Create(KnobValues knobs)
    {
        try
        {
            return (IStrategy)Activator.CreateInstance(_strategyType)!;
        }
        // Let the referee report the script's own exception, not reflection's wrapper.
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
