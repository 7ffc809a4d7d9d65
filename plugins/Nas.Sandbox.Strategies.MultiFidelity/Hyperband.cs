using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh &amp; Talwalkar, "Hyperband: A Novel Bandit-Based Approach to
/// Hyperparameter Optimization", JMLR 18(185), 2018, Algorithm 1), on the race's fidelity ladder: the ladder's rungs are
/// the paper's resources r·η^i, so s_max = rungs − 1, and brackets s = s_max, s_max − 1, …, 0 follow one another in a
/// cycle. Bracket s starts n = ⌈(s_max + 1)/(s + 1) · η^s⌉ new uniformly random architectures at rung s_max − s and
/// runs successive halving on them: rung s_max − s + i holds ⌊n/η^i⌋ trials, the best of the rung below by
/// <see cref="Trial.Objective"/>, continued (<see cref="TrialAsk.Continue"/>: only the extra epochs are paid). On the
/// ladder 1, 3, 9 (η = 3): 9 at 1 epoch → 3 at 3 → 1 at 9; 5 at 3 → 1 at 9; 3 at 9. Knob <c>eta</c> (auto:
/// round(F[1]/F[0]) of the ladder, at least 2).
/// <para>Failed, diverged and timed-out trials rank last and are never continued. New architectures are distinct from
/// every one asked so far (up to 100 redraws).</para>
/// <para>With trials in flight (<see cref="IParallelStrategy"/>), as successive halving: each bracket is synchronous,
/// and while the current bracket's rung is still waiting for results an ask starts the next bracket of the cycle, so
/// no worker is idle (BOHB's parallel scheme, Falkner et al. 2018). Without a ladder of two rungs or more
/// (<see cref="SearchContext.Fidelities"/>), it is random search at the race's fidelity.
/// In a race budgeted in epochs (<see cref="SearchContext.EpochBudget"/>), brackets are fitted into the budget so that
/// the last one still reaches the top rung (<see cref="BracketBudget"/>).</para>
/// </summary>
public sealed class HyperbandFactory : IStrategyFactory
{
    public string Name => "hyperband";
    public string Description =>
        "Successive halving in brackets that trade many cheap trials for few full ones (Li et al. 2018).";
    public IReadOnlyList<Knob> Knobs { get; } = [MultiFidelityKnobs.Eta()];

    public IStrategy Create(KnobValues knobs) => new Hyperband(knobs.GetAutoInt("eta", min: 2, max: 1_000));
}

public sealed class Hyperband(int? eta) : MultiFidelityStrategy(eta)
{
    private protected override TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries) =>
        Brackets.Next(
            entries,
            BracketBudget.Fit(b => Shape(ladder, b), context.EpochBudget, context.Fidelities, ladder),
            _ => Fresh.Distinct(context, entries)
        );

    /// <summary>The shape of the <paramref name="bracket"/>-th bracket (0-based) of Hyperband's cycle.</summary>
    internal static BracketShape Shape(Ladder ladder, int bracket)
    {
        int sMax = ladder.Top;
        int s = sMax - bracket % (sMax + 1);
        // ⌈(s_max + 1)·η^s / (s + 1)⌉ in integers; at least η^s, so every rung of the bracket holds one trial or more.
        long n = ((sMax + 1) * ladder.EtaPower(s) + s) / (s + 1);
        return BracketShape.Halving(sMax - s, Math.Min(n, 1_000_000), s + 1, ladder);
    }
}
