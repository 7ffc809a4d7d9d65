using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Where a journaled race stopped: the heats it finished, and for every heat it started, each contestant's recorded
/// history (trials, failed asks, charged search time) in order. The referee replays these instead of paying for
/// them again, then goes on from there.
/// </summary>
public sealed class ResumePoint
{
    private readonly Dictionary<(int Heat, string Contestant), List<ResumeEvent>> _events = [];

    private ResumePoint(JObject started, int heatsStarted, int heatsFinished, bool raceFinished, int trials)
    {
        (Started, HeatsStarted, HeatsFinished, RaceFinished, Trials) = (
            started,
            heatsStarted,
            heatsFinished,
            raceFinished,
            trials
        );
    }

    /// <summary>Heats 0 .. HeatsStarted-1 have a heat-started line.</summary>
    public int HeatsStarted { get; }

    /// <summary>The journal's race-started event.</summary>
    public JObject Started { get; }

    /// <summary>When the race started (UTC), as its journal recorded it; null when the line has no readable time.</summary>
    public DateTime? StartedAt =>
        Started["time"] is JValue { Value: var value }
        && (
            value is DateTime time
            || value is string text
                && DateTime.TryParse(
                    text,
                    System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.RoundtripKind,
                    out time
                )
        )
            ? time.ToUniversalTime()
            : null;

    /// <summary>Heats 0 .. HeatsFinished-1 finished.</summary>
    public int HeatsFinished { get; }
    public bool RaceFinished { get; }

    /// <summary>The journal's race-finished event (its summary); null when the race did not finish.</summary>
    public JObject? FinishedEvent { get; private init; }

    /// <summary>Trials recorded in all.</summary>
    public int Trials { get; }

    /// <summary>What contestant <paramref name="label"/> did in <paramref name="heat"/>, in order (empty when nothing).</summary>
    public IReadOnlyList<ResumeEvent> Events(int heat, string label) => _events.GetValueOrDefault((heat, label)) ?? [];

    /// <summary>
    /// Where the race of <paramref name="journal"/> stopped, read through the one reader of a race's record
    /// (<see cref="RaceRecord"/>, which checks the journal's shape and names a mistyped field's line). A race whose lineup
    /// changed from the console cannot be resumed: the recorded command line races the starting lineup.
    /// </summary>
    public static ResumePoint Read(JournalContents journal, string path, ISearchSpace space)
    {
        int trials = 0;
        var record = RaceRecord.Read(journal, path, f =>
        {
            string? phase = f.OptionalString("phase");
            switch (f.Line.Type)
            {
                case JournalEventTypes.Trial:
                    trials++;
                    return new ResumeEvent.Evaluated(
                        JournalTrial.Parse(f.Event, space, f.Where),
                        f.OptionalNumber("startedAt"),
                        f.OptionalNumber("finishedAt")
                    );
                case JournalEventTypes.TrialStarted:
                    return new ResumeEvent.Started(
                        JournalTrial.Parse(f.Event, space, f.Where, started: true),
                        f.OptionalNumber("startedAt") ?? throw f.Wrong(null, "startedAt", "must be a number")
                    );
                case JournalEventTypes.ContestantFailed when phase == "ask":
                    return new ResumeEvent.AskFailed(f.OptionalString("message") ?? "", Crashed(f));
                case JournalEventTypes.ContestantFailed when phase == "tell" && Crashed(f):
                    return new ResumeEvent.TellCrashed();
                case JournalEventTypes.ContestantFailed when SitOutPhases.Contains(phase):
                    return new ResumeEvent.SatOut();
                case JournalEventTypes.SearchTime:
                    return new ResumeEvent.Charged(
                        f.OptionalNumber("seconds") ?? throw f.Wrong(null, "seconds", "must be a number"),
                        phase ?? "",
                        f.OptionalInt("index") ?? -1
                    );
                // A resume's own rebuild keeps a contestant that sat out sitting out; a new build brings it back.
                case JournalEventTypes.Swap when f.OptionalString("reason") != Referee.ResumeRebuild:
                    return new ResumeEvent.Swapped();
                default:
                    return (ResumeEvent?)null;
            }
        });
        if (record.LineupChanges.Count > 0)
            throw new NasException(
                $"{path}({record.LineupChanges[0]}): the lineup changed during this race (from the console); such a race cannot be resumed."
            );
        var point = new ResumePoint(
            record.Started.Event,
            record.HeatsStarted,
            record.HeatsFinished,
            record.Finished,
            trials
        )
        {
            FinishedEvent = record.FinishedEvent,
        };
        foreach (var (key, list) in record.AllEvents)
        {
            // Search time charged during an ask whose trial never got journaled (the kill landed mid-evaluation): that ask
            // is asked again on resume and charged again, so the first charge goes.
            if (list.Count > 0 && list[^1] is ResumeEvent.Charged { Phase: "ask" })
                list.RemoveAt(list.Count - 1);
            point._events[key] = list;
        }
        return point;
    }

    private static bool Crashed(JournalFields f) =>
        f.Event["crashed"] is JValue { Type: JTokenType.Boolean } crashed ? (bool)crashed
        : f.Event["crashed"] is null or { Type: JTokenType.Null } ? false
        : throw f.Wrong(null, "crashed", "must be true or false");
}

/// <summary>One recorded step of a contestant, replayed on resume.</summary>
public abstract record ResumeEvent
{
    /// <summary>
    /// A trial: recorded in the history (and the cache, when paid) and told to the strategy. In a race with several
    /// workers, with when it started and came back on the contestant's worker clock.
    /// </summary>
    public sealed record Evaluated(Trial Trial, double? StartedAt = null, double? FinishedAt = null) : ResumeEvent;

    /// <summary>A trial handed to a worker (its <see cref="Trial"/> holds the index and architecture only); redone on resume if it never came back.</summary>
    public sealed record Started(Trial Trial, double StartedAt) : ResumeEvent;

    /// <summary>An ask that failed: it used an evaluation of the budget. <paramref name="Crashed"/>: its contestant process died.</summary>
    public sealed record AskFailed(string Message, bool Crashed = false) : ResumeEvent;

    /// <summary>A Tell during which the contestant process died (it counts towards <see cref="Referee.MaxCrashesPerHeat"/>).</summary>
    public sealed record TellCrashed : ResumeEvent;

    /// <summary>Search time charged to the contestant (training its own weights), in the Ask or Tell of trial <paramref name="Index"/>.</summary>
    public sealed record Charged(double Seconds, string Phase = "", int Index = -1) : ResumeEvent;

    /// <summary>The contestant got a new instance (a new build, or a rebuild): one that sat out races again.</summary>
    public sealed record Swapped : ResumeEvent;

    /// <summary>The contestant was made to sit out the rest of the heat (<see cref="SitOutPhases"/>).</summary>
    public sealed record SatOut : ResumeEvent;
}
