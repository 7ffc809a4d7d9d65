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
    /// <summary>Heats 0 .. HeatsFinished-1 finished.</summary>
    public int HeatsFinished { get; }
    public bool RaceFinished { get; }
    /// <summary>Trials recorded in all.</summary>
    public int Trials { get; }

    /// <summary>What contestant <paramref name="label"/> did in <paramref name="heat"/>, in order (empty when nothing).</summary>
    public IReadOnlyList<ResumeEvent> Events(int heat, string label) => _events.GetValueOrDefault((heat, label)) ?? [];

    public static ResumePoint Read(JournalContents journal, string path, ISearchSpace space)
    {
        if (journal.Lines.FirstOrDefault() is not { Type: "race-started" } first)
            throw new NasException($"{path}(1): not a race journal: its first event is not race-started.");
        int heatsStarted = 0, heatsFinished = 0, trials = 0;
        bool finished = false;
        var byKey = new Dictionary<(int, string), List<ResumeEvent>>();
        List<ResumeEvent> Of(int heat, string contestant) =>
            byKey.TryGetValue((heat, contestant), out var list) ? list : byKey[(heat, contestant)] = [];
        foreach (var line in journal.Lines.Skip(1))
        {
            string where = $"{path}({line.LineNumber})";
            var e = line.Event;
            switch (line.Type)
            {
                case "trial":
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.Evaluated(JournalTrial.Parse(e, space, where)));
                    trials++;
                    break;
                case "contestant-failed" when (string?)e["phase"] == "ask":
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.AskFailed((string?)e["message"] ?? ""));
                    break;
                case "contestant-failed" when SitOutPhases.Contains((string?)e["phase"]):
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.SatOut());
                    break;
                case "search-time":
                    Of((int)e["heat"]!, (string)e["contestant"]!).Add(new ResumeEvent.Charged((double)e["seconds"]!));
                    break;
                case "heat-restarted":
                    foreach (var key in byKey.Keys.Where(k => k.Item1 == (int)e["heat"]!).ToArray()) byKey.Remove(key);
                    break;
                case "heat-started":
                    heatsStarted = Math.Max(heatsStarted, (int)e["heat"]! + 1);
                    break;
                case "heat-finished":
                    heatsFinished = (int)e["heat"]! + 1;
                    break;
                case "race-finished":
                    finished = true;
                    break;
                case "contestant-added" or "contestant-removed":
                    throw new NasException($"{where}: the lineup changed during this race (from the console); such a race cannot be resumed.");
            }
        }
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
    /// <summary>An ask that failed: it used an evaluation of the budget.</summary>
    public sealed record AskFailed(string Message) : ResumeEvent;
    /// <summary>Search time charged to the contestant (training its own weights).</summary>
    public sealed record Charged(double Seconds) : ResumeEvent;
    /// <summary>The contestant was made to sit out the rest of the heat (<see cref="SitOutPhases"/>).</summary>
    public sealed record SatOut : ResumeEvent;
}
