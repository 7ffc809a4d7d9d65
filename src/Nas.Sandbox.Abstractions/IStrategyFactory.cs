namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Publishes a strategy to the host. A plugin or script exposes one public, parameterless-constructible class
/// implementing this interface per strategy; the host finds it by type, never by string.
/// </summary>
public interface IStrategyFactory
{
    /// <summary>Name on the command line, lower-case with dashes, e.g. <c>regularized-evolution</c>.</summary>
    string Name { get; }

    /// <summary>One line: the idea and its paper.</summary>
    string Description { get; }

    /// <summary>The knobs it accepts (<c>NAME:knob=value,...</c>), with defaults.</summary>
    IReadOnlyList<Knob> Knobs { get; }

    /// <summary>A fresh instance for one contestant in one heat, with knob values already validated.</summary>
    IStrategy Create(KnobValues knobs);
}

/// <summary>A tunable setting of a strategy or estimator.</summary>
public sealed record Knob(string Name, string DefaultValue, string Description);
