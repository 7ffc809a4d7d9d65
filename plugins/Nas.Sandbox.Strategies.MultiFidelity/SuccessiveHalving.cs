using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// Successive halving (Jamieson &amp; Talwalkar, "Non-stochastic Best Arm Identification and Hyperparameter
/// Optimization", AISTATS 2016), in the form Hyperband runs as its inner loop (Li et al., JMLR 2018, the bracket
/// s = s_max): brackets one after another, each starting <c>n</c> new uniformly random architectures at the ladder's
/// first rung; once a rung has come back, the best ⌊n_i/η⌋ by <see cref="Trial.Objective"/> (at least 1) are continued
/// to the next rung (<see cref="TrialAsk.Continue"/>: only the extra epochs are paid), up to the top rung; then a new
/// bracket. Knobs: <c>n</c> (auto: η^(rungs−1), so the top rung gets one architecture; 9 on the ladder 1, 3, 9) and
/// <c>eta</c> (auto: round(F[1]/F[0]) of the ladder, at least 2). Rung i of a bracket holds max(1, ⌊n/η^i⌋) trials,
/// whatever the ladder's epochs are (on a ladder that is not η-geometric the rungs are still the ladder's).
/// <para>Failed, diverged and timed-out trials rank last and are never continued: a rung with fewer ok trials than the
/// next one holds promotes only those. New architectures are distinct from every one asked so far (up to 100 redraws),
/// the finite-space form of the paper's sampling.</para>
/// <para>With trials in flight (<see cref="IParallelStrategy"/>): each bracket stays synchronous (a rung is ranked only
/// once all of it has come back), but no worker waits for it: while the current bracket's rung is still waiting for
/// results, an ask starts the next bracket (and serves the oldest bracket that has work first). With one worker this is
/// the sequential algorithm. Without a ladder of two rungs or more (<see cref="SearchContext.Fidelities"/>), it is
/// random search at the race's fidelity.
/// In a race budgeted in epochs (<see cref="SearchContext.EpochBudget"/>), brackets are fitted into the budget so that
/// the last one still reaches the top rung (<see cref="BracketBudget"/>).</para>
/// </summary>
public sealed class SuccessiveHalvingFactory : IStrategyFactory
{
    public string Name => "successive-halving";
    public string Description =>
        "Brackets of n architectures halved by η rung after rung of the fidelity ladder (Jamieson & Talwalkar 2016).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new(
            "n",
            MultiFidelityKnobs.Auto,
            "new architectures per bracket at the first rung (auto: η^(rungs−1), one reaches the top rung)"
        ),
        MultiFidelityKnobs.Eta(),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new SuccessiveHalving(
            knobs.GetAutoInt("n", min: 1, max: 1_000_000),
            knobs.GetAutoInt("eta", min: 2, max: 1_000)
        );
}

public sealed class SuccessiveHalving(int? n, int? eta) : MultiFidelityStrategy(eta)
{
    private protected override TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries)
    {
        var shape = BracketShape.Halving(
            0,
            n ?? Math.Min(ladder.EtaPower(ladder.Top), 1_000_000),
            ladder.Rungs,
            ladder
        );
        return Brackets.Next(
            entries,
            BracketBudget.Fit(_ => shape, context.EpochBudget, context.Fidelities, ladder),
            _ => Fresh.Distinct(context, entries)
        );
    }
}
