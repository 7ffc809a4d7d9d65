using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// What a report shows, read from a race journal through the one journal reader (<see cref="RaceRecord"/>): every
/// finished trial of every contestant per heat, in order (a restarted heat's and a removed contestant's left out), the
/// race-started settings, and the race-finished summary when the race finished.
/// </summary>
internal sealed record ReportData(
    RaceRecord<Trial> Record,
    Nb201Space Space,
    IReadOnlyList<string> Contestants,
    IReadOnlyDictionary<(string Contestant, int Heat), IReadOnlyList<Trial>> Trials
)
{
    public string Path => Record.Path;

    /// <summary>
    /// Reads <paramref name="path"/>; an error naming the file when it is missing, is not a race journal, or holds no
    /// finished (ok) trial to report on.
    /// </summary>
    public static ReportData Read(string path)
    {
        if (!File.Exists(path))
            throw new NasException($"{path}: no such journal file.");
        Nb201Space? space = null;
        var record = RaceRecord.Read(
            path,
            f =>
                f.Line.Type == JournalEventTypes.Trial
                    ? JournalTrial.Parse(f.Event, space!, $"{path}({f.Line.LineNumber})")
                    : null,
            started => space = SpaceOf(path, started)
        );
        var trials = record.AllEvents.ToDictionary(
            e => (e.Key.Contestant, e.Key.Heat),
            e => (IReadOnlyList<Trial>)e.Value
        );
        if (!trials.Values.SelectMany(t => t).Any(t => t.Status == TrialStatus.Ok))
            throw new NasException($"{path}: the journal holds no finished trial, so there is nothing to report.");
        return new ReportData(record, space!, record.Contestants, trials);
    }

    /// <summary>Heats with any trial, in order.</summary>
    public IReadOnlyList<int> Heats => Trials.Keys.Select(k => k.Heat).Distinct().Order().ToArray();

    /// <summary>The contestant's trials in <paramref name="heat"/>, in the order they finished.</summary>
    public IReadOnlyList<Trial> Of(string contestant, int heat) => Trials.GetValueOrDefault((contestant, heat)) ?? [];

    /// <summary>What a trial is ranked by: its objective (the validation accuracy in the default race).</summary>
    public static double? Score(Trial trial) =>
        trial.Status == TrialStatus.Ok ? trial.Objective ?? trial.Metrics.ValidationAccuracy : null;

    /// <summary>The NB201 space over the operations the race recorded (the default ones when it recorded none).</summary>
    private static Nb201Space SpaceOf(string path, JournalLine started)
    {
        var f = new JournalFields(path, started);
        string space = f.OptionalString("space", f.RequiredObject("settings")) ?? "nb201";
        if (space != "nb201")
            throw new NasException($"{path}: a report covers NB201 races; this race searched '{space}'.");
        var operations = started.Event["operations"] is null ? null : f.Array("operations").Select(o => (string)o!);
        return operations is null ? new Nb201Space() : new Nb201Space(operations.ToArray());
    }
}
