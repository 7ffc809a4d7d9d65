using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>Something that happened in a race. Journaled in order, then handed to listeners (progress, TUI).</summary>
public abstract record RaceEvent
{
    public DateTime Time { get; init; } = DateTime.UtcNow;
}

/// <summary>A contestant as raced: label, strategy and where it came from.</summary>
public sealed record ContestantInfo(
    string Label,
    string Strategy,
    string Source,
    string Origin,
    string Version,
    IReadOnlyDictionary<string, string> Knobs,
    string Build = ""
);

/// <param name="Operations">The space's operations, journaled so that a shared race can be run again on the same space.</param>
public sealed record RaceStarted(
    RaceSettings Settings,
    IReadOnlyList<ContestantInfo> Contestants,
    string Estimator,
    string Fidelity,
    IReadOnlyList<string>? Operations = null
) : RaceEvent;

public sealed record HeatStarted(int Heat, long Seed) : RaceEvent;

/// <summary>
/// A finished trial of one contestant, with that contestant's best validation accuracy so far in the heat (in a race
/// whose estimator measures no accuracy, a zero-cost proxy's, its best score). In a race
/// with several workers, also when it started and came back on the contestant's worker clock (seconds since the heat
/// started; see <see cref="TrialFlight"/>).
/// </summary>
public sealed record TrialFinished(
    string Contestant,
    int Heat,
    Trial Trial,
    double? BestSoFar,
    double? StartedAt = null,
    double? FinishedAt = null
) : RaceEvent;

/// <summary>
/// A trial handed to a worker in a race with several workers (<c>--workers</c>): its trial line follows when it comes
/// back. A resume redoes the trials that started and never came back, at the time they started.
/// </summary>
public sealed record TrialStarted(string Contestant, int Heat, int Index, Architecture Architecture, double StartedAt)
    : RaceEvent
{
    /// <summary>The rung it runs at, in a race with a fidelity ladder (also journaled then with one worker).</summary>
    public int? Rung { get; init; }

    /// <summary>The trial it continues, if it is a continuation.</summary>
    public int? Continues { get; init; }
}

/// <summary>
/// Wall seconds of one Ask, Tell or replay during which the contestant touched the race's training kit (it trained
/// weights on the race's data), charged to its seconds. Raised before the trial (or failure) of that Ask.
/// </summary>
public sealed record SearchCharged(string Contestant, int Heat, int Index, string Phase, double Seconds) : RaceEvent;

/// <summary>The contestant's code failed (create, ask, tell) or asked for something outside the space; the race goes on.</summary>
/// <param name="Crashed">Its contestant process died during the call (<c>--isolation process</c>).</param>
public sealed record ContestantFailed(
    string Contestant,
    int Heat,
    int Index,
    string Phase,
    string Message,
    bool Crashed = false
) : RaceEvent;

/// <summary>A contestant now runs a new build of its strategy, rebuilt by replaying its history into a new instance.</summary>
public sealed record ContestantSwapped(
    string Contestant,
    int Heat,
    string OldVersion,
    string NewVersion,
    int TrialsReplayed,
    double Milliseconds,
    string Reason
) : RaceEvent;

/// <summary>A new build could not be used (compile or load errors, or the replay failed); the old version keeps racing.</summary>
public sealed record SwapFailed(string Contestant, int Heat, string Source, string Message) : RaceEvent;

public sealed record HeatFinished(int Heat, IReadOnlyList<HeatStanding> Standings) : RaceEvent;

public sealed record RaceFinished(RaceSummary Summary) : RaceEvent;

/// <summary>A contestant joined the race mid-run (a user command); it starts in the current heat with a full budget.</summary>
public sealed record ContestantAdded(ContestantInfo Contestant, int Heat) : RaceEvent;

/// <summary>A contestant left the race (a user command); it no longer appears in standings or later heats.</summary>
public sealed record ContestantRemoved(string Contestant, int Heat) : RaceEvent;

/// <summary>The current heat starts over (a user command): every contestant is rebuilt and its trials in this heat discarded.</summary>
public sealed record HeatRestarted(int Heat, long Seed) : RaceEvent;

/// <summary>The race was resumed from its journal (<c>nas race --resume</c>) at this heat, after this many recorded trials.</summary>
public sealed record RaceResumed(int Heat, int TrialsRecorded) : RaceEvent;

/// <summary>A user command could not be applied (unknown strategy, bad knobs, unknown contestant).</summary>
public sealed record CommandRejected(string Command, string Message) : RaceEvent;

/// <summary>
/// The estimator says something the race should know and keep (<see cref="Workers.IEstimatorNotices"/>): on a cluster,
/// a worker joined, was lost (its trials went to other slots), left, or refused the race, and why.
/// </summary>
public sealed record EstimatorNotice(string Message, bool Warning = false) : RaceEvent;
