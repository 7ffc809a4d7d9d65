using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>Where a race is in its life.</summary>
public enum RacePhase
{
    Starting,
    Running,
    Pausing,
    Paused,
    Finished,
    Failed,
    Cancelled,
}

/// <summary>
/// An immutable picture of a race at one moment, for views: they render snapshots and never touch the engine.
/// Contestants are in rank order (best first).
/// </summary>
public sealed record RaceSnapshot
{
    public RaceSettings? Settings { get; init; }
    public string Estimator { get; init; } = "";
    public string Fidelity { get; init; } = "";
    public RacePhase Phase { get; init; }

    /// <summary>0-based index of the heat being run (or the last one, when finished).</summary>
    public int Heat { get; init; }
    public int Heats { get; init; }
    public int HeatsFinished { get; init; }
    public double ElapsedSeconds { get; init; }
    public long EvaluationsDone { get; init; }

    /// <summary>Evaluations the whole race will take (null under a seconds-only budget).</summary>
    public long? EvaluationsPlanned { get; init; }
    public double Progress { get; init; }
    public IReadOnlyList<ContestantStanding> Contestants { get; init; } = [];

    /// <summary>The latest trials, oldest first.</summary>
    public IReadOnlyList<TrialLine> RecentTrials { get; init; } = [];

    /// <summary>The latest notices (swaps, failures, commands), oldest first.</summary>
    public IReadOnlyList<RaceNotice> Notices { get; init; } = [];

    /// <summary>Sources (scripts, plugins) whose latest build failed; the old version keeps racing.</summary>
    public IReadOnlyList<SourceErrors> Errors { get; init; } = [];
    public string? FailureMessage { get; init; }
    public RaceSummary? Summary { get; init; }

    /// <summary>What <see cref="ContestantStanding.Best"/> is: "best" (validation accuracy), "obj" (a scalarised objective) or "hv" (hypervolume, a Pareto race).</summary>
    public string ScoreTitle { get; init; } = "best";
}

/// <summary>One contestant as the leaderboard shows it.</summary>
public sealed record ContestantStanding
{
    public required string Label { get; init; }
    public required string Strategy { get; init; }

    /// <summary>built-in, plugin, script or pack.</summary>
    public required string Source { get; init; }
    public required string Origin { get; init; }
    public required string Version { get; init; }
    public IReadOnlyDictionary<string, string> Knobs { get; init; } = new Dictionary<string, string>();
    public int Rank { get; init; }

    /// <summary>0-based order in which the contestant joined the race: a stable colour and mark for its chart series.</summary>
    public int Entry { get; init; }

    /// <summary>The score in the current heat: best validation accuracy, best objective, or the front's hypervolume (see <see cref="RaceSnapshot.ScoreTitle"/>).</summary>
    public double? Best { get; init; }
    public Trial? BestTrial { get; init; }

    /// <summary>Mean and standard deviation of the best validation accuracy over finished heats.</summary>
    public double? MeanBest { get; init; }
    public double? StdBest { get; init; }
    public int HeatsFinished { get; init; }
    public int Used { get; init; }
    public int? Budget { get; init; }

    /// <summary>Epochs of training paid in the current heat, in a race budgeted in epochs or with a fidelity ladder; null otherwise.</summary>
    public double? Epochs { get; init; }
    public double? BudgetEpochs { get; init; }
    public int Failures { get; init; }

    /// <summary>Seconds spent in the current heat (measured, or simulated for a table).</summary>
    public double Seconds { get; init; }
    public double? Rating { get; init; }

    /// <summary>Best-so-far accuracy of the current heat, one point per improvement.</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];
    public IReadOnlyList<string> Swaps { get; init; } = [];
    public bool Disqualified { get; init; }

    /// <summary>Its workers in a race with several (<c>--workers</c>), busy then idle; null with one.</summary>
    public IReadOnlyList<WorkerSlot>? Workers { get; init; }

    /// <summary>
    /// The workers are the race's worker processes, shared by all contestants (not a table's simulated workers, which
    /// are each contestant's own): <see cref="Workers"/> then lists the whole pool, each busy worker with whose trial it
    /// evaluates.
    /// </summary>
    public bool WorkersShared { get; init; }

    /// <summary>Its worker clock in the current heat (seconds since the heat started; simulated on a table).</summary>
    public double Clock { get; init; }
}

/// <summary>
/// One of a contestant's workers: the trial it is evaluating (index and architecture), when it started and for how long
/// it has run on the contestant's worker clock; all null when the worker is idle.
/// </summary>
public sealed record WorkerSlot(int? Index, Architecture? Architecture, double? StartedAt, double? Running)
{
    public bool Idle => Index is null;

    /// <summary>Whose trial it is, on shared worker processes (null on a contestant's own simulated workers).</summary>
    public string? Contestant { get; init; }
}

/// <summary>A point of an anytime curve: after <see cref="Evaluation"/> evaluations (or <see cref="Seconds"/>), the best was <see cref="Best"/>.</summary>
public sealed record CurvePoint(int Evaluation, double Seconds, double Best);

public sealed record TrialLine(string Contestant, int Heat, Trial Trial, DateTime Time);

public enum NoticeKind
{
    Info,
    Swap,
    Warning,
    Error,
}

public sealed record RaceNotice(DateTime Time, NoticeKind Kind, string Text);

/// <summary>The errors of a source's latest failed build, one line each (<c>file(line,col): error CODE: message</c>).</summary>
public sealed record SourceErrors(string Source, IReadOnlyList<string> Lines, DateTime Time);
