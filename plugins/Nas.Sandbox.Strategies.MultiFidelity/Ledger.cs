using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// One trial of the contestant, finished (<see cref="Result"/> set) or still in flight, at the rung it ran at.
/// </summary>
internal sealed record Entry(int Index, Architecture Architecture, int Rung, int? Continues, Trial? Result)
{
    public bool Finished => Result is not null;

    /// <summary>Finished ok with an objective: the only trials that rank by it and may be continued.</summary>
    public bool Ok => Result is { Status: TrialStatus.Ok, Objective: double objective } && !double.IsNaN(objective);

    public double Objective => Ok ? Result!.Objective!.Value : double.NegativeInfinity;
}

/// <summary>
/// Every trial so far, told and in flight, in the order they were asked. The strategies keep nothing else: each ask
/// works its bookkeeping out again from this, so an instance rebuilt by replaying the same trials (in whatever order
/// they finished) and asked with the same <see cref="SearchContext.Pending"/> answers the same.
/// </summary>
internal static class Ledger
{
    public static List<Entry> Build(IEnumerable<Trial> told, IReadOnlyList<PendingTrial> pending, Ladder ladder)
    {
        var entries = told.Select(t => new Entry(t.Index, t.Architecture, ladder.RungOf(t.Rung), t.Continues, t))
            .ToList();
        var finished = entries.Select(e => e.Index).ToHashSet();
        entries.AddRange(
            pending
                .Where(p => !finished.Contains(p.Index))
                .Select(p => new Entry(p.Index, p.Architecture, ladder.RungOf(p.Rung), p.Continues, null))
        );
        // Asks happen in index order, so this is the order in which the strategy made its decisions.
        entries.Sort((a, b) => a.Index.CompareTo(b.Index));
        return entries;
    }

    /// <summary>
    /// Best first: ok trials by objective (higher first; ties: the earlier trial), then the failed, diverged and timed
    /// out ones, which rank last (and are never continued).
    /// </summary>
    public static IEnumerable<Entry> Ranked(IEnumerable<Entry> finished) =>
        finished.OrderByDescending(e => e.Ok).ThenByDescending(e => e.Objective).ThenBy(e => e.Index);

    /// <summary>The indices of the trials some trial (told or in flight) continues: each is promoted at most once.</summary>
    public static HashSet<int> Continued(IEnumerable<Entry> entries) =>
        entries.Where(e => e.Continues is not null).Select(e => e.Continues!.Value).ToHashSet();
}

/// <summary>New architectures drawn uniformly, as random search draws them.</summary>
internal static class Fresh
{
    private const int MaxRedraws = 100;

    /// <summary>
    /// A uniform sample of the space that is none of <paramref name="asked"/> (up to 100 redraws): on a finite space,
    /// sampling without replacement is what the papers' continuous samplers do in effect, and a repeat at a low rung
    /// would only pay again for what is known.
    /// </summary>
    public static Architecture Distinct(SearchContext context, IEnumerable<Architecture> asked)
    {
        var seen = asked.ToHashSet();
        var candidate = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && seen.Contains(candidate); i++)
            candidate = context.Space.Sample(context.Random);
        return candidate;
    }

    public static Architecture Distinct(SearchContext context, IEnumerable<Entry> entries) =>
        Distinct(context, entries.Select(e => e.Architecture));

    /// <summary>What every strategy of this pack asks without a ladder of two rungs or more: random search, at the top rung.</summary>
    public static TrialAsk WithoutLadder(SearchContext context, IEnumerable<Trial> told) =>
        new()
        {
            Architecture = Distinct(
                context,
                told.Select(t => t.Architecture).Concat(context.Pending.Select(p => p.Architecture))
            ),
        };
}
