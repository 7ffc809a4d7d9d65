using System.Diagnostics;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One contestant's trials in flight, and its worker clock (seconds since the heat started).
/// <para>Simulated workers (a table): a trial is evaluated when it starts (a lookup) and comes back at start + its
/// cost, so results return in simulated completion order: the earliest finish first, ties in the order they started.
/// A contestant's simulated workers are its own: its clock, its budget and what comes back when depend only on its own
/// asks, so a race is the same run after run, and a resumed race goes on exactly as the uninterrupted one.</para>
/// <para>Worker processes (<see cref="Workers.WorkerPool"/>): a trial runs on a worker and comes back when it is done,
/// in real completion order; the clock is the wall clock since the heat started (continued from the journal's last
/// time on resume).</para>
/// </summary>
internal sealed class TrialFlight(bool wallClock = false)
{
    private readonly List<FlyingTrial> _trials = [];
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private double _wallBase;
    private long _started;

    /// <summary>The contestant's worker clock: when the last trial it got back finished (or the latest start).</summary>
    public double Clock { get; private set; }

    /// <summary>The time a trial starting now starts at: the worker clock, or the wall clock with worker processes.</summary>
    public double Now => wallClock ? _wallBase + _wall.Elapsed.TotalSeconds : Clock;

    /// <summary>Worker-seconds its evaluations took (a repeat takes none): its clock times its mean busy workers.</summary>
    public double BusySeconds { get; private set; }

    public int Count => _trials.Count;

    /// <summary>
    /// Trials holding a worker process: running, or back but not yet recorded (the worker is free, but the trial is
    /// still this contestant's share until the referee takes it; counting it keeps the sharing fair). Not repeats.
    /// </summary>
    public int Occupying => _trials.Count(t => t.Running is not null && t.SameAs is null);

    public IEnumerable<FlyingTrial> Trials => _trials;

    /// <summary>What the strategy is told is still pending, in the order it asked.</summary>
    public IReadOnlyList<PendingTrial> Pending() =>
        _trials
            .OrderBy(t => t.Index)
            .Select(t => new PendingTrial
            {
                Index = t.Index,
                Architecture = t.Architecture,
                Fidelity = t.Fidelity,
                Rung = t.Rung,
                Continues = t.Continues,
            })
            .ToArray();

    /// <summary>The first trial in flight of this architecture at this rung (a repeat asked now comes back with it).</summary>
    public FlyingTrial? Find(TrialKey key) =>
        _trials
            .Where(t => t.Architecture.Equals(key.Architecture) && t.Rung == key.Rung && t.SameAs is null)
            .MinBy(t => t.Sequence);

    /// <summary>Starts a trial whose result is known now and that comes back after its cost, at <paramref name="startedAt"/> (now by default).</summary>
    /// <param name="finishesAt">When it comes back, if not after its cost (resume: a repeat of a trial that came back before the kill).</param>
    /// <param name="askedRung">The rung it was asked at, when it may come back at a lower one (stopped early).</param>
    public FlyingTrial Start(Trial result, double? startedAt = null, double? finishesAt = null, int? askedRung = null)
    {
        double start = startedAt ?? Now;
        Clock = Math.Max(Clock, start);
        return Add(
            new FlyingTrial(
                result.Index,
                result.Architecture,
                result.Fidelity,
                start,
                finishesAt ?? start + result.CostSeconds,
                _started++,
                result,
                null
            )
            {
                Rung = askedRung ?? result.Rung,
                Continues = result.Continues,
            }
        );
    }

    /// <summary>Starts a trial on a worker process: it comes back when <paramref name="running"/> completes.</summary>
    public FlyingTrial StartRunning(int index, TrialPlan plan, Task<WorkerLanding> running, double? startedAt = null)
    {
        double start = startedAt ?? Now;
        return Add(
            new FlyingTrial(
                index,
                plan.Architecture,
                plan.Fidelity,
                start,
                double.PositiveInfinity,
                _started++,
                null,
                null
            )
            {
                Running = running,
                Rung = plan.Rung,
                Continues = plan.Continues?.Index,
            }
        );
    }

    /// <summary>A repeat of a pending architecture: it comes back with that one, served at no cost, like a cached repeat.</summary>
    /// <param name="continues">The trial the repeat was asked to continue (its own, not the original's): journaled with it.</param>
    public FlyingTrial Repeat(int index, FlyingTrial original, double? startedAt = null, int? continues = null)
    {
        double start = startedAt ?? Now;
        Clock = Math.Max(Clock, start);
        return Add(
            new FlyingTrial(
                index,
                original.Architecture,
                original.Fidelity,
                start,
                Math.Max(start, original.FinishesAt),
                _started++,
                null,
                original
            )
            {
                Running = original.Running,
                Rung = original.Rung,
                Continues = continues,
            }
        );
    }

    private FlyingTrial Add(FlyingTrial flying)
    {
        _trials.Add(flying);
        return flying;
    }

    /// <summary>The trial that comes back next, taken out of flight; the clock moves to its finish.</summary>
    public FlyingTrial Land() => Land(_trials.MinBy(t => (t.FinishesAt, t.Sequence))!);

    /// <summary>The first of its trials whose result is in (worker processes), by finish then start; null when none is.</summary>
    public FlyingTrial? FirstDone() =>
        _trials.Where(t => t.Running is null or { IsCompleted: true }).MinBy(t => (FinishOf(t), t.Sequence));

    /// <summary>Takes <paramref name="trial"/> out of flight; the clock moves to its finish.</summary>
    public FlyingTrial Land(FlyingTrial trial)
    {
        _trials.Remove(trial);
        double finished = FinishOf(trial);
        Clock = Math.Max(Clock, finished);
        if (ResultOf(trial) is { FromCache: false } result && trial.SameAs is null)
            BusySeconds += result.CostSeconds;
        return trial with { FinishesAt = finished };
    }

    /// <summary>When a trial came (or comes) back.</summary>
    public static double FinishOf(FlyingTrial trial) =>
        trial.Running is { IsCompletedSuccessfully: true } done
            ? Math.Max(trial.StartedAt, done.Result.FinishedAt)
            : trial.FinishesAt;

    /// <summary>A landed trial's own result (null for a repeat, which comes back with <see cref="FlyingTrial.SameAs"/>).</summary>
    public static Trial? ResultOf(FlyingTrial trial) =>
        trial.SameAs is not null ? null
        : trial.Running is { } running ? running.GetAwaiter().GetResult().Trial // a cancelled race throws its cancellation
        : trial.Result;

    /// <summary>A finished trial replayed from the journal (resume): the clock moves to its finish.</summary>
    public void Landed(double finishedAt, double cost)
    {
        Clock = Math.Max(Clock, finishedAt);
        BusySeconds += cost;
        if (wallClock && Clock > _wallBase + _wall.Elapsed.TotalSeconds)
        {
            // The wall clock goes on from the journal's last time: a resumed heat's times follow the killed one's.
            _wallBase = Clock;
            _wall.Restart();
        }
    }

    /// <summary>Mean workers busy over the contestant's clock (1 when it never ran two at once).</summary>
    public double MeanWorkers => Clock > 0 ? BusySeconds / Clock : 0;
}

/// <summary>
/// A trial in flight: its ask index, when it started and comes back, and its result (or, for a repeat of a pending
/// architecture, the trial it comes back with; or, on a worker process, the evaluation still running).
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
)
{
    /// <summary>On a worker process: the evaluation, with the time it finished on the contestant's clock.</summary>
    public Task<WorkerLanding>? Running { get; init; }

    /// <summary>Its rung, in a race with a fidelity ladder.</summary>
    public int? Rung { get; init; }

    /// <summary>The trial it continues, if it was asked as a continuation.</summary>
    public int? Continues { get; init; }
}

/// <summary>A trial back from a worker process, and when it came back on the contestant's clock.</summary>
internal sealed record WorkerLanding(Trial Trial, double FinishedAt);
