using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Drives an <see cref="IParallelStrategy"/> directly (no referee) through a fixed interleaving of asks and tells, as a
/// race with several workers makes one: up to <c>inFlight</c> trials out at once (the first asks see
/// <see cref="SearchContext.Pending"/> grow 0, 1, 2, …), results coming back one or two at a time in an order a seeded
/// scheduler picks (not the ask order), and new asks as workers free up, until <c>trials</c> trials have been asked and
/// told. The same arguments give the same script, so a run can be repeated, and any ask re-asked of a rebuilt instance.
/// An <see cref="IMultiFidelityStrategy"/> is asked through <see cref="IMultiFidelityStrategy.AskTrial"/>, and the rung
/// and continued trial it asks for go into its <see cref="PendingTrial"/> and, when it comes back, its <see cref="Trial"/>.
/// </summary>
internal static class ParallelScript
{
    /// <summary>
    /// One ask: its index, what was in flight (ask order), what had been told (completion order), the answer (for a
    /// strategy that is not multi-fidelity, a <see cref="TrialAsk"/> with neither rung nor continuation).
    /// </summary>
    public sealed record Asked(
        int Index,
        IReadOnlyList<PendingTrial> Pending,
        IReadOnlyList<Trial> Told,
        TrialAsk Request
    )
    {
        public Architecture Answer => Request.Architecture;
    }

    /// <summary>What <paramref name="strategy"/> asks: <see cref="IMultiFidelityStrategy.AskTrial"/> when it has it.</summary>
    public static TrialAsk AskOf(IStrategy strategy, SearchContext context) =>
        strategy is IMultiFidelityStrategy multiFidelity
            ? multiFidelity.AskTrial(context)
            : new TrialAsk { Architecture = strategy.Ask(context) };

    /// <summary>
    /// Runs the script. <paramref name="context"/> makes the context of ask (index, pending, told count): it must build a
    /// fresh <see cref="Random"/> from the index, so that the same ask can be made again. <paramref name="finish"/>
    /// evaluates a trial when it comes back (in completion order).
    /// </summary>
    public static (List<Asked> Asks, List<Trial> Told) Run(
        IStrategy strategy,
        Func<int, IReadOnlyList<PendingTrial>, int, SearchContext> context,
        Func<PendingTrial, Trial> finish,
        int trials,
        int inFlight = 4,
        int schedulerSeed = 17
    )
    {
        var scheduler = new Random(schedulerSeed);
        var pending = new List<PendingTrial>();
        var told = new List<Trial>();
        var asks = new List<Asked>();
        while (asks.Count < trials || pending.Count > 0)
        {
            while (asks.Count < trials && pending.Count < inFlight)
            {
                int index = asks.Count;
                var inFlightNow = pending.ToArray();
                var request = AskOf(strategy, context(index, inFlightNow, told.Count));
                asks.Add(new Asked(index, inFlightNow, told.ToArray(), request));
                pending.Add(
                    new PendingTrial
                    {
                        Index = index,
                        Architecture = request.Architecture,
                        Rung = request.Rung,
                        Continues = request.Continues,
                    }
                );
            }
            for (int n = Math.Min(pending.Count, 1 + scheduler.Next(2)); n > 0; n--)
            {
                int i = scheduler.Next(pending.Count);
                // The trial ran where it was asked to, whatever `finish` copied.
                var trial = finish(pending[i]) with { Rung = pending[i].Rung, Continues = pending[i].Continues };
                pending.RemoveAt(i);
                told.Add(trial);
                strategy.Tell(trial);
            }
        }
        return (asks, told);
    }
}
