using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Core.Racing.Tracking;

/// <summary>
/// Follows a race's events (and the catalogs' rebuild notices) and turns them into <see cref="RaceSnapshot"/>s on
/// demand. Events arrive on the referee's thread, snapshots are taken on another (the UI's timer), hence the lock.
/// Keeps every trial of the race for reports; the snapshot carries only the latest ones.
/// </summary>
public sealed class RaceTracker
{
    public const int RecentTrialCount = 200,
        NoticeCount = 100;

    private readonly object _gate = new();
    private readonly RaceControl? _control;
    private readonly Stopwatch _clock = new();
    private readonly List<ContestantTrack> _contestants = [];
    private readonly List<TrialLine> _trials = [];
    private readonly List<RaceNotice> _notices = [];
    private readonly Dictionary<string, SourceErrors> _errors = new(StringComparer.Ordinal);
    private RaceStarted? _started;
    private int _entries;
    private RacePhase _phase = RacePhase.Starting;
    private int _heat,
        _heatsFinished;
    private long _evaluationsInFinishedHeats;
    private string? _failure;
    private RaceSummary? _summary;
    private Func<ContestantInfo, double?> _ratingOf = _ => null;
    private TrackScoring _scoring = new(null);

    public RaceTracker(RaceControl? control = null) => _control = control;

    /// <summary>Where league ratings come from (replaced when the league file changes).</summary>
    public Func<ContestantInfo, double?> RatingOf
    {
        set
        {
            lock (_gate)
                _ratingOf = value;
        }
    }

    public void OnEvent(RaceEvent raceEvent)
    {
        lock (_gate)
            Apply(raceEvent);
    }

    /// <summary>A watched script was recompiled: its errors replace the previous ones, or clear them when it compiled.</summary>
    public void ScriptRecompiled(string path, IReadOnlyList<ScriptDiagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToArray();
        lock (_gate)
        {
            if (errors.Length == 0)
            {
                _errors.Remove(path);
                Notice(NoticeKind.Info, $"script {Path.GetFileName(path)} recompiled");
            }
            else
            {
                _errors[path] = new SourceErrors(path, errors, DateTime.UtcNow);
                Notice(
                    NoticeKind.Error,
                    $"script {Path.GetFileName(path)} has {errors.Length} error(s); the old version keeps racing"
                );
            }
        }
    }

    public void PluginReloaded(string path, string? failure)
    {
        lock (_gate)
        {
            if (failure is null)
            {
                _errors.Remove(path);
                Notice(NoticeKind.Info, $"plugin {Path.GetFileName(path)} reloaded");
            }
            else
            {
                _errors[path] = new SourceErrors(path, Lines(failure), DateTime.UtcNow);
                Notice(
                    NoticeKind.Error,
                    $"plugin {Path.GetFileName(path)} failed to reload; the old version keeps racing"
                );
            }
        }
    }

    public void Inform(string text)
    {
        lock (_gate)
            Notice(NoticeKind.Info, text);
    }

    public void Warn(string text)
    {
        lock (_gate)
            Notice(NoticeKind.Warning, text);
    }

    public void Error(string text)
    {
        lock (_gate)
            Notice(NoticeKind.Error, text);
    }

    /// <summary>The race stopped with an error outside any contestant (the engine itself, the estimator's data...).</summary>
    public void Fail(string message)
    {
        lock (_gate)
        {
            (_phase, _failure) = (RacePhase.Failed, message);
            _clock.Stop();
            Notice(NoticeKind.Error, $"the race stopped: {message}");
        }
    }

    public void Cancel()
    {
        lock (_gate)
        {
            if (_phase is RacePhase.Finished or RacePhase.Failed)
                return;
            _phase = RacePhase.Cancelled;
            _clock.Stop();
        }
    }

    /// <summary>Every trial of the race so far (a restarted heat's discarded trials excluded), oldest first.</summary>
    public IReadOnlyList<TrialLine> AllTrials()
    {
        lock (_gate)
            return _trials.ToArray();
    }

    /// <summary>
    /// The race's worker processes, shared by its contestants: each busy one with the trial it evaluates, whose it is,
    /// and for how long (wall time since it started), oldest first, then the idle ones.
    /// </summary>
    private IReadOnlyList<WorkerSlot> Pool(RaceSettings settings)
    {
        var now = DateTime.UtcNow;
        var busy = _contestants
            .SelectMany(c =>
                c.InFlight.Select(t => new WorkerSlot(
                    t.Key,
                    t.Value.Architecture,
                    t.Value.StartedAt,
                    Math.Max(0, (now - t.Value.Since).TotalSeconds)
                )
                {
                    Contestant = c.Info.Label,
                })
            )
            .OrderByDescending(w => w.Running)
            .ToList();
        return busy.Concat(
                Enumerable.Repeat(new WorkerSlot(null, null, null, null), Math.Max(0, settings.Workers - busy.Count))
            )
            .ToArray();
    }

    public RaceSnapshot Snapshot()
    {
        lock (_gate)
        {
            var settings = _started?.Settings;
            var pool = settings is { WorkerProcesses: true } ? Pool(settings) : null;
            var ranked = _contestants
                .Select(c =>
                    (
                        Track: c,
                        Standing: pool is null
                            ? c.ToStanding(settings, _ratingOf(c.Info))
                            : c.ToStanding(settings, _ratingOf(c.Info)) with
                            {
                                Workers = pool,
                                WorkersShared = true,
                            }
                    )
                )
                .OrderByDescending(p => RankScore(p.Standing, p.Track) ?? double.NegativeInfinity)
                .ThenBy(p => p.Standing.Label, StringComparer.Ordinal)
                .Select((p, i) => p.Standing with { Rank = i + 1 })
                .ToArray();
            // Spending of the heat under way; a finished heat is already counted in _evaluationsInFinishedHeats.
            long current = _contestants.Where(c => c.HeatOpen).Sum(c => (long)c.Used);
            return new RaceSnapshot
            {
                Settings = settings,
                Estimator = _started?.Estimator ?? "",
                Fidelity = _started?.Fidelity ?? "",
                Phase = CurrentPhase(),
                Heat = _heat,
                Heats = settings?.Heats ?? 0,
                HeatsFinished = _heatsFinished,
                ElapsedSeconds = _clock.Elapsed.TotalSeconds,
                EvaluationsDone = _evaluationsInFinishedHeats + current,
                EvaluationsPlanned = settings?.Budget is { } budget
                    ? (long)budget * _contestants.Count * settings.Heats
                    : null,
                Progress = Progress(settings),
                Contestants = ranked,
                RecentTrials = _trials.TakeLast(RecentTrialCount).ToArray(),
                Notices = _notices.ToArray(),
                Errors = _errors.Values.OrderBy(e => e.Time).ToArray(),
                FailureMessage = _failure,
                Summary = _summary,
                ScoreTitle = _scoring.Title,
            };
        }
    }

    private RacePhase CurrentPhase()
    {
        if (_phase is not RacePhase.Running || _control is null || !_control.IsPaused)
            return _phase;
        return _control.IsHeld ? RacePhase.Paused : RacePhase.Pausing;
    }

    /// <summary>Rank by the mean score (best objective, or hypervolume) over every heat so far, the current one included: an anytime standing.</summary>
    private static double? RankScore(ContestantStanding s, ContestantTrack track)
    {
        var bests = track.HeatBests.Concat(s.Best is { } b && track.HeatOpen ? [b] : Array.Empty<double>()).ToArray();
        return bests.Length == 0 ? null : bests.Average();
    }

    private double Progress(RaceSettings? settings)
    {
        if (settings is null || _contestants.Count == 0)
            return 0;
        if (_phase == RacePhase.Finished)
            return 1;
        var open = _contestants.Where(c => c.HeatOpen).ToArray();
        if (open.Length == 0)
            return Math.Min(1, (double)_heatsFinished / settings.Heats);
        double heatShare = open.Average(c =>
            c.Disqualified
                ? 1
                : Math.Min(
                    1,
                    Math.Max(
                        settings.Budget is { } n ? (double)c.Used / n : 0,
                        settings.BudgetSeconds is { } s ? c.Seconds / s : 0
                    )
                )
        );
        return Math.Min(1, (_heatsFinished + heatShare) / settings.Heats);
    }

    private void Apply(RaceEvent raceEvent)
    {
        switch (raceEvent)
        {
            case RaceStarted e:
                _started = e;
                _scoring = new TrackScoring(e.Settings);
                _phase = RacePhase.Running;
                _clock.Restart();
                foreach (var info in e.Contestants)
                    _contestants.Add(new ContestantTrack(info, _entries++));
                break;
            case HeatStarted e:
                _heat = e.Heat;
                foreach (var c in _contestants)
                    c.StartHeat();
                break;
            case HeatRestarted e:
                foreach (var c in _contestants)
                    c.StartHeat();
                _trials.RemoveAll(t => t.Heat == e.Heat);
                Notice(NoticeKind.Info, $"heat {e.Heat + 1} restarted");
                break;
            case TrialStarted e:
                Find(e.Contestant)?.Start(e);
                break;
            case TrialFinished e:
                _scoring.Observe(e);
                Find(e.Contestant)?.Record(e.Trial, _scoring);
                Find(e.Contestant)?.Land(e);
                _trials.Add(new TrialLine(e.Contestant, e.Heat, e.Trial, e.Time));
                break;
            case SearchCharged e:
                Find(e.Contestant)?.Charge(e.Seconds);
                break;
            case ContestantFailed e:
                if (Find(e.Contestant) is { } failed)
                    failed.Fault(e.Phase);
                Notice(NoticeKind.Warning, $"{e.Contestant} failed in {e.Phase}: {e.Message}");
                break;
            case ContestantSwapped e:
                if (Find(e.Contestant) is { } swapped)
                {
                    swapped.Version = e.NewVersion;
                    swapped.Disqualified = false;
                    swapped.Swaps.Add(
                        $"heat {e.Heat + 1}: {e.OldVersion} → {e.NewVersion} ({e.Reason}; {e.TrialsReplayed} trials replayed in {e.Milliseconds:0} ms)"
                    );
                }
                Notice(
                    NoticeKind.Swap,
                    $"{e.Contestant} swapped {e.OldVersion} → {e.NewVersion} ({e.TrialsReplayed} trials replayed in {e.Milliseconds:0} ms)"
                );
                break;
            case SwapFailed e:
                _errors[e.Source] = new SourceErrors(e.Source, Lines(e.Message), e.Time);
                if (Find(e.Contestant) is { } kept)
                    kept.Swaps.Add($"heat {e.Heat + 1}: new build refused, {kept.Version} kept racing");
                Notice(NoticeKind.Error, $"{e.Contestant}: the new build failed; the old version keeps racing");
                break;
            case HeatFinished e:
                _heatsFinished = e.Heat + 1;
                _evaluationsInFinishedHeats += e.Standings.Sum(s => (long)s.Evaluations);
                foreach (var standing in e.Standings)
                    Find(standing.Contestant)?.FinishHeat(standing, _scoring);
                break;
            case RaceFinished e:
                _summary = e.Summary;
                _phase = RacePhase.Finished;
                _clock.Stop();
                break;
            case ContestantAdded e:
                var added = new ContestantTrack(e.Contestant, _entries++);
                added.StartHeat();
                _contestants.Add(added);
                Notice(NoticeKind.Info, $"{e.Contestant.Label} joined in heat {e.Heat + 1}");
                break;
            case ContestantRemoved e:
                _contestants.RemoveAll(c => c.Info.Label == e.Contestant);
                Notice(NoticeKind.Info, $"{e.Contestant} left the race");
                break;
            case CommandRejected e:
                Notice(NoticeKind.Error, $"{e.Command}: {e.Message}");
                break;
            case EstimatorNotice e:
                Notice(e.Warning ? NoticeKind.Warning : NoticeKind.Info, e.Message);
                break;
        }
    }

    private ContestantTrack? Find(string label) => _contestants.FirstOrDefault(c => c.Info.Label == label);

    private void Notice(NoticeKind kind, string text)
    {
        _notices.Add(new RaceNotice(DateTime.UtcNow, kind, text));
        if (_notices.Count > NoticeCount)
            _notices.RemoveRange(0, _notices.Count - NoticeCount);
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
