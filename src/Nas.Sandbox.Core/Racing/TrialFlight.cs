using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One contestant's trials in flight on its workers, on its own worker clock (seconds since the heat started).
/// <para>A trial is evaluated when it starts (a lookup, or a training run on the race's estimator) and comes back at
/// start + its cost, so results return in (simulated) completion order: the earliest finish first, ties in the order
/// they started. A contestant's workers are its own: its clock, its budget and what comes back when depend only on its
/// own asks, so a race is the same run after run, and a resumed race goes on exactly as the uninterrupted one.</para>
/// </summary>
internal sealed class TrialFlight
{
    private readonly List<FlyingTrial> _trials = [];
    private long _started;

    /// <summary>The contestant's worker clock: when the last trial it got back finished (or the latest start).</summary>
    public double Clock { get; private set; }

    /// <summary>Worker-seconds its evaluations took (a repeat takes none): its clock times its mean busy workers.</summary>
    public double BusySeconds { get; private set; }

    public int Count => _trials.Count;

    /// <summary>What the strategy is told is still pending, in the order it asked.</summary>
    public IReadOnlyList<PendingTrial> Pending() =>
        _trials
            .OrderBy(t => t.Index)
            .Select(t => new PendingTrial
            {
                Index = t.Index,
                Architecture = t.Architecture,
                Fidelity = t.Fidelity,
            })
            .ToArray();

    public FlyingTrial? Find(Architecture architecture) =>
        _trials.Where(t => t.Architecture.Equals(architecture)).MinBy(t => t.Sequence);

    /// <summary>Starts a trial whose result is known now and that comes back after its cost, at <paramref name="startedAt"/> (now by default).</summary>
    /// <param name="finishesAt">When it comes back, if not after its cost (resume: a repeat of a trial that came back before the kill).</param>
    public FlyingTrial Start(Trial result, double? startedAt = null, double? finishesAt = null)
    {
        double start = startedAt ?? Clock;
        Clock = Math.Max(Clock, start);
        var flying = new FlyingTrial(
            result.Index,
            result.Architecture,
            result.Fidelity,
            start,
            finishesAt ?? start + result.CostSeconds,
            _started++,
            result,
            null
        );
        _trials.Add(flying);
        return flying;
    }

    /// <summary>A repeat of a pending architecture: it comes back with that one, served at no cost, like a cached repeat.</summary>
    public FlyingTrial Repeat(int index, FlyingTrial original, double? startedAt = null)
    {
        double start = startedAt ?? Clock;
        Clock = Math.Max(Clock, start);
        var flying = new FlyingTrial(
            index,
            original.Architecture,
            original.Fidelity,
            start,
            Math.Max(start, original.FinishesAt),
            _started++,
            null,
            original
        );
        _trials.Add(flying);
        return flying;
    }

    /// <summary>The trial that comes back next, taken out of flight; the clock moves to its finish.</summary>
    public FlyingTrial Land()
    {
        var next = _trials.MinBy(t => (t.FinishesAt, t.Sequence))!;
        _trials.Remove(next);
        Clock = Math.Max(Clock, next.FinishesAt);
        if (next.Result is { } result)
            BusySeconds += result.CostSeconds;
        return next;
    }

    /// <summary>A finished trial replayed from the journal (resume): the clock moves to its finish.</summary>
    public void Landed(double finishedAt, double cost)
    {
        Clock = Math.Max(Clock, finishedAt);
        BusySeconds += cost;
    }

    /// <summary>Mean workers busy over the contestant's clock (1 when it never ran two at once).</summary>
    public double MeanWorkers => Clock > 0 ? BusySeconds / Clock : 0;
}

/// <summary>
/// A trial in flight: its ask index, when it started and comes back, and its result (or, for a repeat of a pending
/// architecture, the trial it comes back with).
/// </summary>
internal sealed record FlyingTrial(
    int Index,
    Architecture Architecture,
    Fidelity Fidelity,
    double StartedAt,
    double FinishesAt,
    long Sequence,
    Trial? Result,
    FlyingTrial? SameAs
);
