using System.Collections.Concurrent;
using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Training;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Runs a race: every contestant of a heat gets the same space, estimator, fidelity, data split and budget, and they
/// take turns one trial at a time so that partial standings are fair at every moment. The referee owns each
/// contestant's history and cache. Every event is journaled before listeners hear of it, and a trial is journaled
/// before the strategy is told.
/// <para>Faults: a contestant's constructor, Ask or Tell that throws or overruns <see cref="RaceSettings.CallTimeout"/>,
/// or an architecture outside the space, is journaled, costs one evaluation (for Ask) and never stops the race. A
/// contestant sits out the rest of the heat when it would stall the race: asks that overran the timeout
/// <see cref="MaxTimeoutsInARow"/> times in a row, or (under a seconds budget alone) <see cref="MaxFreeStepsInARow"/>
/// steps in a row that spent nothing; and when it runs out of memory or keeps too much (<see cref="MemoryGuard"/>).</para>
/// <para>Hot swap: when the <see cref="StrategyCatalog"/> announces a new build of a contestant's strategy (plugin
/// rebuilt, script saved), the contestant gets, at its next turn, a new instance into which its whole history is
/// replayed with Tell; trials, budget and standing carry over. If the new build cannot be used, the old one keeps
/// racing and the reason is journaled.</para>
/// <para>Training kit: with <see cref="RaceTrainingData"/>, every contestant gets a kit of the heat's training data in
/// <see cref="SearchContext.TrainingSetup"/> (<c>context.Training</c>). The wall time of each Ask, Tell or replay during which it touched the kit is
/// charged to its seconds and journaled (<see cref="SearchCharged"/>); a strategy that never touches it pays nothing.</para>
/// <para>Disposal: a strategy instance that is <see cref="IDisposable"/> is disposed (on the referee thread, with the
/// call timeout) when it is replaced by a new build, when its heat ends or restarts and when it is removed; an instance
/// abandoned by a timed-out call is not, since it may still be running. Its kit is revoked, and the referee waits
/// (at most the call timeout) for abandoned calls to return before a heat's data is freed and before the race ends.</para>
/// <para>The class is split by concern: this file runs the race heat by heat; Referee.Turns.cs (asks, trials in
/// flight, landing and telling), Referee.Evaluation.cs (handing a trial to the estimator), Referee.Contestants.cs
/// (instances made, swapped, rebuilt, added, removed, disposed), Referee.SitOuts.cs (faults and sit-outs) and
/// Referee.Resume.cs (a journal's race put back).</para>
/// </summary>
public sealed partial class Referee
{
    private readonly ISearchSpace _space;
    private readonly IEstimator _estimator;
    private readonly StrategyCatalog _strategies;
    private readonly IRaceJournal _journal;
    private readonly RaceTrainingData? _training;
    private readonly Isolation.ContestantProcesses? _isolation;
    private readonly Workers.IEvaluationSlots? _pool;

    /// <summary>Training checkpoints of the current race, when it has a fidelity ladder (continuations).</summary>
    private CheckpointFolder? _checkpoints;
    private readonly ConcurrentQueue<StrategyEntry> _newBuilds = new();
    private readonly ConcurrentQueue<(string Origin, string Message)> _failedBuilds = new();
    private MemoryGuard _memory = new(null);

    /// <param name="training">The data strategies may train on (DARTS, GDAS); null when the race offers none.</param>
    /// <param name="isolation">Contestant processes (<c>--isolation process</c>); null: contestants run in this process.</param>
    public Referee(
        ISearchSpace space,
        IEstimator estimator,
        StrategyCatalog strategies,
        IRaceJournal journal,
        RaceTrainingData? training = null,
        Isolation.ContestantProcesses? isolation = null
    )
    {
        (_space, _estimator, _strategies, _journal, _training, _isolation) = (
            space,
            estimator,
            strategies,
            journal,
            training,
            isolation
        );
        _pool = estimator as Workers.IEvaluationSlots;
    }

    private ContestantRun NewRun(
        string label,
        StrategyEntry entry,
        KnobValues knobs,
        string seedKey,
        RaceSettings settings
    ) => new(label, entry, knobs, seedKey, settings.Workers, workerProcesses: _pool is not null);

    public event Action<RaceEvent>? EventRaised;

    public Task<RaceSummary> RunAsync(RaceSettings settings, CancellationToken cancellation = default) =>
        RunAsync(settings, null, null, cancellation);

    /// <summary>Runs the race; <paramref name="control"/> (optional) lets a user pause, step, add, remove and restart.</summary>
    /// <param name="resume">
    /// Where the race's journal stopped (<c>nas race --resume</c>): finished heats and the recorded steps of the heat
    /// that was running are replayed, not paid for again (events reach listeners, not the journal, which has them),
    /// and the race goes on from there with the same seeds, so it ends as an uninterrupted run would.
    /// </param>
    public Task<RaceSummary> RunAsync(
        RaceSettings settings,
        RaceControl? control,
        ResumePoint? resume = null,
        CancellationToken cancellation = default
    )
    {
        settings.Validate();
        return RefereeThread.Run("referee", thread => RaceAsync(thread, settings, control, resume, cancellation));
    }

    private async Task<RaceSummary> RaceAsync(
        RefereeThread thread,
        RaceSettings settings,
        RaceControl? control,
        ResumePoint? resume,
        CancellationToken cancellation
    )
    {
        var lineup = new RaceLineup();
        // Resolve every contestant and validate its knobs before anything runs: a typo should cost nothing.
        foreach (var spec in settings.Contestants)
        {
            var entry = _strategies.Get(spec.Strategy);
            lineup.Add(spec, entry, KnobValues.Create(entry.Name, entry.Factory.Knobs, spec.Knobs));
        }

        // Contestant processes start side by side before the first heat (a start takes about a second, mostly loading).
        if (_isolation is not null)
            await Task.WhenAll(lineup.Slots.Select(s => FactoryForAsync(s.Entry)));
        _strategies.EntryReplaced += _newBuilds.Enqueue;
        _strategies.SourceFailed += OnSourceFailed;
        _memory = new MemoryGuard(settings.ContestantMemoryGiB);
        // The worst cost seen in the race: the default reference point of a Pareto race on an unknown space.
        var worst = new WorstCosts(settings.Objective);
        _checkpoints = settings.MultiFidelity ? new CheckpointFolder(settings.WorkFolder) : null;
        try
        {
            var clock = Stopwatch.StartNew();
            EventRaised += worst.OnEvent;
            var started = new RaceStarted(
                settings,
                lineup.Slots.Select(s => s.Info).ToArray(),
                _estimator.Name,
                Describe(settings.Fidelity),
                _space.Operations
            );
            // A resumed race is the same race: listeners that key on its start time (the league) must see the recorded one.
            if (resume?.StartedAt is { } startedAt)
                started = started with { Time = startedAt };
            if (resume is null)
                Raise(started);
            else
                Notify(started);
            var heats = new List<IReadOnlyList<HeatStanding>>();
            for (int heat = 0; heat < settings.Heats; heat++)
            {
                long heatSeed = SeedMixer.Derive(settings.Seed, "heat", heat);
                if (resume is not null && heat < resume.HeatsFinished)
                {
                    heats.Add(ReplayFinishedHeat(lineup, settings, resume, heat, heatSeed));
                    continue;
                }
                bool resuming = resume is not null && heat < resume.HeatsStarted;
                if (resuming)
                    Notify(new HeatStarted(heat, heatSeed));
                else
                    Raise(new HeatStarted(heat, heatSeed));
                if (resume is not null && heat == resume.HeatsFinished)
                    Raise(new RaceResumed(heat, resume.Trials));
                var state = new HeatState(await StartHeatAsync(thread, lineup, settings, heat));
                if (resuming)
                    foreach (var run in state.Contestants)
                    {
                        if (Restore(run, resume!.Events(heat, run.Label), heat, settings) == 0)
                            continue;
                        // A kill can land between the step that reached a sit-out limit and its sit-out line: judged again here.
                        if (!run.Disqualified)
                            Judge(run, settings, heat, run.Used - 1);
                        // A contestant that sat out stays out: its instance is not rebuilt (nor its misbehaviour rerun).
                        await RestartAsync(run, settings, heat, heatSeed, cancellation);
                        if (run.Disqualified)
                            continue;
                        await RebuildAsync(thread, run, run.Entry, settings, heat, ResumeRebuild);
                    }
                while (true)
                {
                    if (control is not null)
                        await ApplyCommandsAsync(thread, control, lineup, state, settings, heat, heatSeed);
                    ApplyBuilds(state.Contestants, heat);
                    if (!state.Contestants.Any(c => IsCandidate(c, settings)))
                        break;
                    if (control is not null && !await control.WaitForTurnAsync(cancellation))
                        continue;
                    ApplyBuilds(state.Contestants, heat);
                    RaiseEstimatorNotices();
                    if (_pool is not null)
                    {
                        await PooledTurnAsync(thread, state, settings, heat, heatSeed, cancellation);
                        continue;
                    }
                    var contestant = state.NextTurn(c => IsCandidate(c, settings));
                    if (contestant is null)
                        continue;
                    await PrepareTurnAsync(thread, contestant, settings, heat);
                    await TurnAsync(thread, contestant, settings, heat, heatSeed, cancellation);
                }
                // A call abandoned in this heat may still be training on its data, which the next heat's kits replace.
                await thread.AbandonedCallsReturnedAsync(settings.CallTimeout);
                // Later heats start with the newest build each contestant was swapped to.
                foreach (var run in state.Contestants)
                    if (lineup.Find(run.Label) is { } slot)
                        (slot.Entry, slot.Knobs) = (run.Entry, run.Knobs);
                foreach (var run in state.Contestants)
                    await RetireAsync(thread, run, run.Strategy, settings, heat);
                var standings = state.Contestants.Select(c => c.Standing(settings.MultiFidelity)).ToArray();
                _checkpoints?.HeatEnded(heat);
                heats.Add(standings);
                Raise(new HeatFinished(heat, standings));
            }
            // The summary names the build each contestant finished on (after any swaps).
            var summary = RaceSummary.From(
                settings,
                lineup.Finished(),
                heats,
                clock.Elapsed.TotalSeconds,
                _estimator is Estimators.IHeldOutScores heldOut ? heldOut.TestAccuracy : null,
                worst.Reference(settings)
            );
            Raise(new RaceFinished(summary));
            return summary;
        }
        finally
        {
            // Calls the watchdog abandoned may still run, inside libtorch: they get the call timeout again to return
            // (a revoked kit stops a supernet at its next round) before their data is freed and the race, often the
            // process, ends (see AbandonedCalls: data still in use is left to the garbage collector instead).
            await thread.AbandonedCallsReturnedAsync(settings.CallTimeout);
            _training?.Dispose(); // the last heat's tensors; the dataset itself stays loaded for another race
            // A race that finished has no trial left to continue; a stopped one keeps its checkpoints for --resume.
            _checkpoints?.Close(keepForResume: cancellation.IsCancellationRequested);
            _checkpoints = null;

            EventRaised -= worst.OnEvent;
            _strategies.EntryReplaced -= _newBuilds.Enqueue;
            _strategies.SourceFailed -= OnSourceFailed;
        }
    }

    /// <summary>Tells listeners without journaling: for events a resumed race replays from its journal.</summary>
    private void Notify(RaceEvent raceEvent) => EventRaised?.Invoke(raceEvent);

    /// <summary>
    /// A contestant that can take a turn: it may ask, or has trials in flight to get back, or it sits out but a new build
    /// has arrived.
    /// </summary>
    private static bool IsCandidate(ContestantRun c, RaceSettings settings) =>
        c.CanAsk(settings) || c.Flight.Count > 0 || c.Disqualified && c.PendingEntry is not null;

    private async Task<List<ContestantRun>> StartHeatAsync(
        RefereeThread thread,
        RaceLineup lineup,
        RaceSettings settings,
        int heat
    )
    {
        var contestants = lineup
            .Slots.Select(s => NewRun(s.Info.Label, s.Entry, s.Knobs, s.SeedKey, settings))
            .ToList();
        foreach (var contestant in contestants)
            await CreateAsync(thread, contestant, settings, heat);
        return contestants;
    }

    /// <summary>What the estimator has to say (a cluster's workers joining, lost, refusing), journaled from this thread.</summary>
    private void RaiseEstimatorNotices()
    {
        if (_estimator is not Workers.IEstimatorNotices notices)
            return;
        foreach (var (message, warning) in notices.TakeNotices())
            Raise(new EstimatorNotice(message, warning));
    }

    private void Raise(RaceEvent raceEvent)
    {
        _journal.Append(raceEvent);
        EventRaised?.Invoke(raceEvent);
    }

    private static string Describe(Fidelity f) =>
        string.Join(
            ", ",
            new[]
            {
                f.Epochs is { } e ? $"epochs={e}" : null,
                f.TrainingImages is { } t ? $"images={t}" : null,
                f.Channels is { } c ? $"channels={c}" : null,
                f.CellsPerStage is { } n ? $"cells={n}" : null,
                f.BatchSize is { } b ? $"batch={b}" : null,
            }.Where(s => s is not null)
        );
}
