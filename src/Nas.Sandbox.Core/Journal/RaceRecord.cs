using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// A race read back from its journal: the one reader of a race's record, which resume (<c>--resume</c>), <c>nas pareto</c>
/// and <c>nas pack build --from-race</c> build on. It checks the journal's shape: the race-started line first and only
/// there (a second one means two races were written into one file), every heat a whole number in the race's range, every
/// contestant named; a mistyped field is an error naming the file, line and field (<see cref="JournalFields"/>), and a
/// torn last line (a crash mid-write) is left out and noted. It follows the race's course: heats started and finished,
/// whether the race finished (and its race-finished line), the lineup (contestants of race-started, then added and
/// removed from the console), and each contestant's events per heat in order, a restarted heat's and a removed
/// contestant's dropped. What an event means is the caller's: <c>select</c> turns each contestant event (trial,
/// search-time, contestant-failed, swap, swap-failed) into the caller's record of it, or null to leave it out.
/// </summary>
public sealed class RaceRecord<T>
    where T : class
{
    private readonly Dictionary<(int Heat, string Contestant), List<T>> _events;

    internal RaceRecord(
        string path,
        JournalLine started,
        JObject settings,
        IReadOnlyList<string> contestants,
        int heatsStarted,
        int heatsFinished,
        JournalLine? finished,
        IReadOnlyList<int> lineupChanges,
        bool tornTail,
        Dictionary<(int, string), List<T>> events
    )
    {
        (
            Path,
            Started,
            Settings,
            Contestants,
            HeatsStarted,
            HeatsFinished,
            FinishedLine,
            LineupChanges,
            TornTail,
            _events
        ) = (
            path,
            started,
            settings,
            contestants,
            heatsStarted,
            heatsFinished,
            finished,
            lineupChanges,
            tornTail,
            events
        );
    }

    public string Path { get; }

    /// <summary>The race-started line (line 1).</summary>
    public JournalLine Started { get; }

    /// <summary>Typed reads of the race-started line's fields.</summary>
    public JournalFields StartedFields => new(Path, Started);

    /// <summary>The race-started line's <c>settings</c> object.</summary>
    public JObject Settings { get; }

    /// <summary>The contestants at the end of the journal, in order of appearance.</summary>
    public IReadOnlyList<string> Contestants { get; }

    /// <summary>Heats 0 .. HeatsStarted-1 have a heat-started line.</summary>
    public int HeatsStarted { get; }

    /// <summary>Heats 0 .. HeatsFinished-1 finished (the last heat-finished line's heat, plus one).</summary>
    public int HeatsFinished { get; }

    /// <summary>The race-finished event; null when the race did not finish.</summary>
    public JObject? FinishedEvent => FinishedLine?.Event;

    /// <summary>The race-finished line; null when the race did not finish.</summary>
    public JournalLine? FinishedLine { get; }
    public bool Finished => FinishedEvent is not null;

    /// <summary>The line numbers of contestant-added and contestant-removed lines (the console changed the lineup).</summary>
    public IReadOnlyList<int> LineupChanges { get; }

    /// <summary>The journal's last line was torn by a crash mid-write, and left out.</summary>
    public bool TornTail { get; }

    /// <summary>What <paramref name="contestant"/> did in <paramref name="heat"/>, in order, as selected (empty when nothing).</summary>
    public IReadOnlyList<T> Events(int heat, string contestant) => _events.GetValueOrDefault((heat, contestant)) ?? [];

    /// <summary>Every (heat, contestant) with selected events, and those events in order.</summary>
    public IEnumerable<KeyValuePair<(int Heat, string Contestant), List<T>>> AllEvents => _events;
}

/// <summary>Reads a <see cref="RaceRecord{T}"/>; see there.</summary>
public static class RaceRecord
{
    /// <summary>The line types of one contestant's events in a heat (each has a <c>contestant</c> and a <c>heat</c>).</summary>
    public static readonly IReadOnlySet<string> ContestantEvents = new HashSet<string>
    {
        JournalEventTypes.Trial,
        JournalEventTypes.TrialStarted,
        JournalEventTypes.SearchTime,
        JournalEventTypes.ContestantFailed,
        JournalEventTypes.Swap,
        JournalEventTypes.SwapFailed,
    };

    /// <summary>
    /// Reads the journal at <paramref name="path"/>. <paramref name="onStarted"/> hears the race-started line before any
    /// event is selected (to read what the selection depends on, such as the objective).
    /// </summary>
    public static RaceRecord<T> Read<T>(
        string path,
        Func<JournalFields, T?> select,
        Action<JournalLine>? onStarted = null
    )
        where T : class => Read(JournalReader.Read(path), path, select, onStarted);

    /// <summary>Reads <paramref name="journal"/> (read from <paramref name="path"/>, which errors name).</summary>
    public static RaceRecord<T> Read<T>(
        JournalContents journal,
        string path,
        Func<JournalFields, T?> select,
        Action<JournalLine>? onStarted = null
    )
        where T : class
    {
        using var lines = journal.Lines.GetEnumerator();
        var started = StartedLine(lines, path);
        onStarted?.Invoke(started);
        var start = new JournalFields(path, started);
        var settings = start.RequiredObject("settings");
        // Heats are numbered from 0; a journal naming a heat beyond the race's is damaged.
        int maxHeat = (start.OptionalInt("heats", settings, min: 1) ?? 1_000_000) - 1;
        var contestants = new List<string>();
        // Every journal this version writes lists its contestants; a hand-written one may leave them out.
        foreach (var c in start.Event["contestants"] is null ? [] : start.Array("contestants"))
            contestants.Add(
                Label(
                    start,
                    start.RequiredString(
                        "contestant",
                        c as JObject ?? throw start.Wrong(null, "contestants", "must hold objects")
                    )
                )
            );

        int heatsStarted = 0,
            heatsFinished = 0;
        JournalLine? finished = null;
        var lineupChanges = new List<int>();
        var events = new Dictionary<(int, string), List<T>>();
        while (lines.MoveNext())
        {
            var line = lines.Current;
            var f = new JournalFields(path, line);
            switch (line.Type)
            {
                case JournalEventTypes.RaceStarted:
                    throw new NasException(
                        $"{f.Where}: a second race-started: two races were written into this journal, which holds one race."
                    );
                case var type when ContestantEvents.Contains(type):
                    var key = (f.RequiredInt("heat", min: 0, max: maxHeat), f.RequiredString("contestant"));
                    if (select(f) is { } selected)
                    {
                        if (!events.TryGetValue(key, out var list))
                            events[key] = list = [];
                        list.Add(selected);
                    }
                    break;
                case JournalEventTypes.HeatStarted:
                    heatsStarted = Math.Max(heatsStarted, f.RequiredInt("heat", min: 0, max: maxHeat) + 1);
                    break;
                case JournalEventTypes.HeatFinished:
                    heatsFinished = f.RequiredInt("heat", min: 0, max: maxHeat) + 1;
                    break;
                case JournalEventTypes.HeatRestarted:
                    int restarted = f.RequiredInt("heat", min: 0, max: maxHeat);
                    foreach (var k in events.Keys.Where(k => k.Item1 == restarted).ToArray())
                        events.Remove(k);
                    break;
                case JournalEventTypes.ContestantAdded:
                    lineupChanges.Add(line.LineNumber);
                    contestants.Add(Label(f, f.RequiredString("contestant", f.RequiredObject("contestant"))));
                    break;
                case JournalEventTypes.ContestantRemoved:
                    lineupChanges.Add(line.LineNumber);
                    string removed = f.RequiredString("contestant");
                    contestants.Remove(removed);
                    foreach (var k in events.Keys.Where(k => k.Item2 == removed).ToArray())
                        events.Remove(k);
                    break;
                case JournalEventTypes.RaceFinished:
                    finished = line;
                    break;
            }
        }
        return new RaceRecord<T>(
            path,
            started,
            settings,
            contestants,
            heatsStarted,
            heatsFinished,
            finished,
            lineupChanges,
            journal.TornLastLine,
            events
        );
    }

    /// <summary>A contestant's label, checked as --strategy would be; a damaged one is blamed on its journal line.</summary>
    private static string Label(JournalFields f, string label)
    {
        Racing.ContestantSpec.Parse(label, f.Where);
        return label;
    }

    /// <summary>The race-started line alone (the journal's first line), read without reading the rest.</summary>
    public static JournalLine ReadStarted(string path)
    {
        using var lines = JournalReader.Read(path).Lines.GetEnumerator();
        return StartedLine(lines, path);
    }

    private static JournalLine StartedLine(IEnumerator<JournalLine> lines, string path) =>
        lines.MoveNext() && lines.Current is { Type: JournalEventTypes.RaceStarted } first
            ? first
            : throw new NasException($"{path}(1): not a race journal: its first event is not race-started.");
}
