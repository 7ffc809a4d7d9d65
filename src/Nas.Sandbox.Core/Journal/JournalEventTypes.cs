using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// The <c>type</c> of every journal line, in one place: <see cref="JournalFormat"/> writes them, and the readers
/// (resume, <c>nas pareto</c>, <c>nas pack build --from-race</c>) compare against them. docs/reference/journal.md has one
/// section per name, which a test keeps true.
/// </summary>
public static class JournalEventTypes
{
    public const string RaceStarted = "race-started";
    public const string HeatStarted = "heat-started";
    public const string Trial = "trial";
    public const string TrialStarted = "trial-started";
    public const string SearchTime = "search-time";
    public const string ContestantFailed = "contestant-failed";
    public const string Swap = "swap";
    public const string SwapFailed = "swap-failed";
    public const string HeatFinished = "heat-finished";
    public const string RaceFinished = "race-finished";
    public const string ContestantAdded = "contestant-added";
    public const string ContestantRemoved = "contestant-removed";
    public const string HeatRestarted = "heat-restarted";
    public const string RaceResumed = "race-resumed";
    public const string CommandRejected = "command-rejected";
    public const string EstimatorNotice = "estimator-notice";

    /// <summary>The line type of each <see cref="RaceEvent"/> record: every event the referee raises is journaled under one.</summary>
    public static readonly IReadOnlyDictionary<Type, string> ByEvent = new Dictionary<Type, string>
    {
        [typeof(Racing.RaceStarted)] = RaceStarted,
        [typeof(Racing.HeatStarted)] = HeatStarted,
        [typeof(TrialFinished)] = Trial,
        [typeof(Racing.TrialStarted)] = TrialStarted,
        [typeof(SearchCharged)] = SearchTime,
        [typeof(Racing.ContestantFailed)] = ContestantFailed,
        [typeof(ContestantSwapped)] = Swap,
        [typeof(Racing.SwapFailed)] = SwapFailed,
        [typeof(Racing.HeatFinished)] = HeatFinished,
        [typeof(Racing.RaceFinished)] = RaceFinished,
        [typeof(Racing.ContestantAdded)] = ContestantAdded,
        [typeof(Racing.ContestantRemoved)] = ContestantRemoved,
        [typeof(Racing.HeatRestarted)] = HeatRestarted,
        [typeof(Racing.RaceResumed)] = RaceResumed,
        [typeof(Racing.CommandRejected)] = CommandRejected,
        [typeof(Racing.EstimatorNotice)] = EstimatorNotice,
    };

    /// <summary>Every line type: those of a race's course first, then those of hot swaps and of the console's commands.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        RaceStarted,
        HeatStarted,
        TrialStarted,
        Trial,
        SearchTime,
        ContestantFailed,
        HeatFinished,
        RaceFinished,
        Swap,
        SwapFailed,
        ContestantAdded,
        ContestantRemoved,
        HeatRestarted,
        RaceResumed,
        CommandRejected,
        EstimatorNotice,
    ];

    /// <summary>The line type of <paramref name="raceEvent"/>.</summary>
    public static string Of(RaceEvent raceEvent) =>
        ByEvent.TryGetValue(raceEvent.GetType(), out string? name)
            ? name
            : throw new ArgumentException(
                $"No journal line type for {raceEvent.GetType().Name}: add it to {nameof(JournalEventTypes)}.{nameof(ByEvent)}."
            );
}
