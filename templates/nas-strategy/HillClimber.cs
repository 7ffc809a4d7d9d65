using Nas.Sandbox.Abstractions;

namespace HillClimber;

/// <summary>
/// Publishes the strategy to nas. The host finds every public, non-abstract class implementing
/// <see cref="IStrategyFactory"/> with a parameterless constructor in the pack's dll; nothing else registers it.
/// Edit <see cref="Name"/> (what <c>nas race --strategies</c> names, lower-case with dashes), <see cref="Description"/>
/// (one line, shown by <c>nas list</c>) and <see cref="Knobs"/> (settings given as <c>hill-climber:starts=8</c>).
/// A pack may hold several factories: one per strategy.
/// </summary>
public sealed class HillClimberFactory : IStrategyFactory
{
    public string Name => "hill-climber";

    public string Description =>
        "Stochastic hill climbing: mutate the best architecture so far, after a few random starts.";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("starts", "4", "random architectures evaluated before climbing"),
        new("mutations", "1", "choices changed per step (1: a neighbour of the best)"),
    ];

    /// <summary>One fresh instance per contestant per heat; the values were checked against <see cref="Knobs"/>.</summary>
    public IStrategy Create(KnobValues knobs) =>
        new HillClimberStrategy(knobs.GetInt("starts", min: 1), knobs.GetInt("mutations", min: 1, max: 100));
}

/// <summary>
/// Stochastic hill climbing (the simplest local search; see White et al., "Local Search is State of the Art for NAS
/// Benchmarks", 2020): evaluate <c>starts</c> random architectures, then keep proposing the best architecture so far
/// with <c>mutations</c> random choices changed, skipping architectures already evaluated; when every nearby
/// architecture it draws has been seen, it tries a random one (an escape from a local optimum).
/// <para>The rules every strategy follows (replace the body of <see cref="Ask"/> and <see cref="Tell"/> with your own
/// search and keep them):</para>
/// <list type="bullet">
/// <item>Draw all randomness from <see cref="SearchContext.Random"/>: the referee may rebuild a strategy by creating a
/// new instance and replaying every <see cref="Tell"/>, and the next ask must then be the same.</item>
/// <item><see cref="Ask"/> returns an architecture of <see cref="SearchContext.Space"/>: get them from the space
/// (<c>Sample</c>, <c>Mutate</c>, <c>Neighbours</c>, <c>Crossover</c>, <c>Parse</c>), never build them yourself.</item>
/// <item>Rank trials by <see cref="Trial.Objective"/> (what the race maximises: accuracy, a proxy's score, or
/// accuracy minus a cost), not by the accuracy; it is null for trials that failed, diverged or timed out.</item>
/// </list>
/// </summary>
public sealed class HillClimberStrategy(int starts, int mutations) : IStrategy
{
    /// <summary>Proposals drawn around the best before giving up on it for this ask.</summary>
    private const int MaxRedraws = 50;

    private readonly HashSet<Architecture> _evaluated = [];
    private Trial? _best;
    private int _told;

    public Architecture Ask(SearchContext context)
    {
        var space = context.Space;
        // Random starts first; also while nothing has succeeded yet (every trial so far failed).
        if (_told < starts || _best is null)
            return Unseen(() => space.Sample(context.Random));
        var best = _best.Architecture;
        return Unseen(() => Mutate(space, best, context.Random), fallback: () => space.Sample(context.Random));
    }

    public void Tell(Trial trial)
    {
        _told++;
        _evaluated.Add(trial.Architecture);
        // Strictly better only: ties keep the incumbent, so the climb does not wander on plateaus.
        if (trial.Objective is { } objective && (_best?.Objective is not { } best || objective > best))
            _best = trial;
    }

    /// <summary>The parent with <c>mutations</c> single-choice changes (a change may undo an earlier one).</summary>
    private Architecture Mutate(ISearchSpace space, Architecture parent, Random random)
    {
        var child = parent;
        for (int i = 0; i < mutations; i++)
            child = space.Mutate(child, random);
        return child;
    }

    /// <summary>The first proposal not evaluated yet, else the fallback's (or the last proposal: repeating is allowed).</summary>
    private Architecture Unseen(Func<Architecture> propose, Func<Architecture>? fallback = null)
    {
        var candidate = propose();
        for (int i = 0; i < MaxRedraws && _evaluated.Contains(candidate); i++)
            candidate = propose();
        if (!_evaluated.Contains(candidate) || fallback is null)
            return candidate;
        return Unseen(fallback);
    }
}
