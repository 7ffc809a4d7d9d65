using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;

namespace Nas.Sandbox.Cli.Report;

/// <summary>
/// What a report shows, read from a race journal through the one journal reader (<see cref="RaceRecord"/>): every
/// finished trial of every contestant per heat, in order (a restarted heat's and a removed contestant's left out), the
/// race-started settings, the race's space (<see cref="JournalSpace"/>: keys are parsed, and winners drawn, in it), and
/// the race-finished summary when the race finished.
/// </summary>
internal sealed record ReportData(
    RaceRecord<Trial> Record,
    JournalSpace Space,
    IReadOnlyList<string> Contestants,
    IReadOnlyDictionary<(string Contestant, int Heat), IReadOnlyList<Trial>> Trials
)
{
    public string Path => Record.Path;

    /// <summary>
    /// Reads <paramref name="path"/>, its space resolved by <paramref name="host"/>; an error naming the file when it is
    /// missing, is not a race journal, searched a space the host cannot make, or holds no finished (ok) trial to report on.
    /// </summary>
    public static ReportData Read(string path, SandboxHost host)
    {
        if (!File.Exists(path))
            throw new NasException($"{path}: no such journal file.");
        JournalSpace? space = null;
        var record = RaceRecord.Read(
            path,
            f =>
                f.Line.Type == JournalEventTypes.Trial
                    ? JournalTrial.Parse(f.Event, space!.Space, $"{path}({f.Line.LineNumber})")
                    : null,
            started => space = JournalSpace.Of(path, started, host)
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
}
