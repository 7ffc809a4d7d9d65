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
        (Started, HeatsStarted, HeatsFinished, RaceFinished, Trials) = (started, heatsStarted, heatsFinished, raceFinished, trials);
    }

    /// <summary>Heats 0 .. HeatsStarted-1 have a heat-started line.</summary>
    public int HeatsStarted { get; }

    /// <summary>The journal's race-started event.</summary>
    public JObject Started { get; }

    /// <summary>When the race started (UTC), as its journal recorded it; null when the line has no readable time.</summary>
    public DateTime? StartedAt =>
        Started["time"] is JValue { Value: var value } && (value is DateTime time
            || value is string text && DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out time))
            ? time.ToUniversalTime()
            : null;
    /// <summary>Heats 0 .. HeatsFinished-1 finished.</summary>
    public int HeatsFinished { get; }
    public bool RaceFinished { get; }
    /// <summary>Trials recorded in all.</summary>
    public int Trials { get; }

    /// <summary>What contestant <paramref name="label"/> did in <paramref name="heat"/>, in order (empty when nothing).</summary>
    public IReadOnlyList<ResumeEvent> Events(int heat, string label) => _events.GetValueOrDefault((heat, label)) ?? [];

    public static ResumePoint Read(JournalContents journal, string path, ISearchSpace space)
    {
        if (journal.Lines.FirstOrDefault() is not { Type: JournalEventTypes.RaceStarted } first)
            throw new NasException($"{path}(1): not a race journal: its first event is not race-started.");
        int heatsStarted = 0, heatsFinished = 0, trials = 0;
        bool finished = false;
        var byKey = new Dictionary<(int, string), List<ResumeEvent>>();
        List<ResumeEvent> Of(int heat, string? contestant)
        {
            if (contestant is null) throw new FormatException("its contestant is missing");
            return byKey.TryGetValue((heat, contestant), out var list) ? list : byKey[(heat, contestant)] = [];
        }
        foreach (var line in journal.Lines.Skip(1))
        {
            string where = $"{path}({line.LineNumber})";
            var e = line.Event;
            try
            {
            switch (line.Type)
            {
                case JournalEventTypes.Trial:
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.Evaluated(JournalTrial.Parse(e, space, where)));
                    trials++;
                    break;
                case JournalEventTypes.ContestantFailed when (string?)e["phase"] == "ask":
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.AskFailed((string?)e["message"] ?? "", (bool?)e["crashed"] ?? false));
                    break;
                case JournalEventTypes.ContestantFailed when (string?)e["phase"] == "tell" && (bool?)e["crashed"] == true:
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.TellCrashed());
                    break;
                case JournalEventTypes.ContestantFailed when SitOutPhases.Contains((string?)e["phase"]):
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.SatOut());
                    break;
                case JournalEventTypes.SearchTime:
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.Charged((double)e["seconds"]!, (string?)e["phase"] ?? "", (int?)e["index"] ?? -1));
                    break;
                // A resume's own rebuild keeps a contestant that sat out sitting out; a new build brings it back.
                case JournalEventTypes.Swap when (string?)e["reason"] != Referee.ResumeRebuild:
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.Swapped());
                    break;
                case JournalEventTypes.HeatRestarted:
                    foreach (var key in byKey.Keys.Where(k => k.Item1 == (int)e["heat"]!).ToArray()) byKey.Remove(key);
                    break;
                case JournalEventTypes.HeatStarted:
                    heatsStarted = Math.Max(heatsStarted, (int)e["heat"]! + 1);
                    break;
                case JournalEventTypes.HeatFinished:
                    heatsFinished = (int)e["heat"]! + 1;
                    break;
                case JournalEventTypes.RaceFinished:
                    finished = true;
                    break;
                case JournalEventTypes.RaceStarted:
                    throw new NasException($"{where}: a second race-started: two races were written into this journal; it cannot be resumed.");
                case JournalEventTypes.ContestantAdded or JournalEventTypes.ContestantRemoved:
                    throw new NasException($"{where}: the lineup changed during this race (from the console); such a race cannot be resumed.");
            }
            }
            catch (Exception x) when (x is ArgumentException or InvalidCastException or FormatException or NullReferenceException or OverflowException)
            {
                // A journal is user input: a missing or mistyped field names its line, never a stack trace.
                throw new NasException($"{where}: a {line.Type} line this race cannot resume from: a field is missing or mistyped ({x.Message}).");
            }
        }
        // Search time charged during an ask whose trial never got journaled (the kill landed mid-evaluation): that ask is
        // asked again on resume and charged again, so the first charge goes.
        foreach (var list in byKey.Values)
            if (list.Count > 0 && list[^1] is ResumeEvent.Charged { Phase: "ask" }) list.RemoveAt(list.Count - 1);
        var point = new ResumePoint(first.Event, heatsStarted, heatsFinished, finished, trials);
        foreach (var (key, list) in byKey) point._events[key] = list;
        return point;
    }
}

/// <summary>One recorded step of a contestant, replayed on resume.</summary>
public abstract record ResumeEvent
{
    /// <summary>A trial: recorded in the history (and the cache, when paid) and told to the strategy.</summary>
    public sealed record Evaluated(Trial Trial) : ResumeEvent;
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
