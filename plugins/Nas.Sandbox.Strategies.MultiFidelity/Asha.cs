using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// ASHA, asynchronous successive halving (Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht &amp; Talwalkar,
/// "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020, Algorithm 2, with minimum early-stopping rate
/// s = 0 and the ladder's top rung as the maximum resource). At each ask, from the rung below the top down to the first:
/// the trials of rung k that have come back are ranked by <see cref="Trial.Objective"/>, and the first of the top
/// ⌊n_k/η⌋ that is ok and has not been promoted yet, nor is being promoted (a continuation of it told or in flight,
/// <see cref="SearchContext.Pending"/>), is continued to rung k + 1 (<see cref="TrialAsk.Continue"/>: only the extra
/// epochs are paid). When no rung has one, a new uniformly random architecture starts at the first rung.
/// Knob <c>eta</c> (auto: round(F[1]/F[0]) of the ladder, at least 2).
/// <para>n_k counts every trial of rung k that has come back: a failed, diverged or timed-out trial is a result, the
/// worst one (it ranks last and is never promoted), as a run that crashed is the worst loss in the paper's setting.
/// New architectures are distinct from every one asked so far (up to 100 redraws).</para>
/// <para>It is asynchronous by design (<see cref="IParallelStrategy"/>): an ask never waits for a rung to fill, so every
/// worker is busy; with one worker it is the same rule, asked after every result. Promotions follow the ranking as it is
/// at the ask, so a trial may be promoted that a later result would have pushed out of the top ⌊n_k/η⌋, as in the
/// paper. Without a ladder of two rungs or more (<see cref="SearchContext.Fidelities"/>), it is random search at the
/// race's fidelity.</para>
/// </summary>
public sealed class AshaFactory : IStrategyFactory
{
    public string Name => "asha";
    public string Description =>
        "Asynchronous successive halving: promote a top-1/η trial whenever one is ready (Li et al. 2020).";
    public IReadOnlyList<Knob> Knobs { get; } = [MultiFidelityKnobs.Eta()];

    public IStrategy Create(KnobValues knobs) => new Asha(knobs.GetAutoInt("eta", min: 2, max: 1_000));
}

public sealed class Asha(int? eta) : MultiFidelityStrategy(eta)
{
    private protected override TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries)
    {
        var continued = Ledger.Continued(entries);
        for (int rung = ladder.Top - 1; rung >= 0; rung--)
        {
            var finished = entries.Where(e => e.Rung == rung && e.Finished).ToList();
            var promotable = Ledger
                .Ranked(finished)
                .Take(finished.Count / ladder.Eta)
                .FirstOrDefault(e => e.Ok && !continued.Contains(e.Index));
            if (promotable is not null)
                return TrialAsk.Continue(promotable.Result!, rung + 1);
        }
        return TrialAsk.At(Fresh.Distinct(context, entries), 0);
    }
}
