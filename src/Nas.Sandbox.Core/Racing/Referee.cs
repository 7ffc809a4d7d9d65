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
/// </summary>
public sealed class Referee
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

    /// <summary>A heat the journal finished: its contestants' records are replayed into standings, no strategy runs.</summary>
    private IReadOnlyList<HeatStanding> ReplayFinishedHeat(
        RaceLineup lineup,
        RaceSettings settings,
        ResumePoint resume,
        int heat,
        long heatSeed
    )
    {
        Notify(new HeatStarted(heat, heatSeed));
        var runs = lineup.Slots.Select(s => NewRun(s.Info.Label, s.Entry, s.Knobs, s.SeedKey, settings)).ToArray();
        foreach (var run in runs)
            Restore(run, resume.Events(heat, run.Label), heat, settings);
        var standings = runs.Select(r => r.Standing(settings.MultiFidelity)).ToArray();
        Notify(new HeatFinished(heat, standings));
        return standings;
    }

    /// <summary>
    /// Puts a contestant's recorded steps back, as they happened: trials into its history and cache (a repeat served
    /// from the cache stays free), failed asks and charged search time into what it has spent. Listeners hear the
    /// trials again; the journal already has them. Returns how many steps there were.
    /// </summary>
    private int Restore(ContestantRun run, IReadOnlyList<ResumeEvent> events, int heat, RaceSettings settings)
    {
        foreach (var step in events)
            switch (step)
            {
                case ResumeEvent.Evaluated { Trial: var trial, StartedAt: var startedAt, FinishedAt: var finishedAt }:
                    // Stopped early below the rung it was asked at (its trial-started line has that rung): cached there too, as
                    // the uninterrupted race cached it (LandAsync).
                    int? askedRung = run.Unfinished.TryGetValue(trial.Index, out var asked)
                        ? asked.Plan.Rung
                        : trial.Rung;
                    if (!trial.FromCache)
                    {
                        run.Cache[TrialKey.Of(trial)] = trial;
                        run.Cache[new TrialKey(trial.Architecture, askedRung)] = trial;
                    }
                    run.Record(trial);
                    run.Unfinished.Remove(trial.Index);
                    if (finishedAt is { } landed)
                    {
                        run.Flight.Landed(landed, trial.CostSeconds);
                        if (!trial.FromCache)
                        {
                            run.LandedAt[TrialKey.Of(trial)] = landed;
                            run.LandedAt[new TrialKey(trial.Architecture, askedRung)] = landed;
                        }
                    }
                    Notify(new TrialFinished(run.Label, heat, trial, run.BestShown, startedAt, finishedAt));
                    break;
                case ResumeEvent.Started { Trial: var started, StartedAt: var at }:
                    run.Unfinished[started.Index] = (
                        new TrialPlan(
                            started.Architecture,
                            settings.FidelityAt(started.Rung),
                            started.Rung,
                            started.Continues is { } parent ? run.History.FirstOrDefault(t => t.Index == parent) : null
                        )
                        {
                            EarlyStopReference = settings.EarlyStop is null ? null : EarlyStopReference(run),
                        },
                        at
                    );
                    break;
                case ResumeEvent.AskFailed failed:
                    run.AskFailed();
                    if (failed.Crashed)
                        run.Crashes++;
                    break;
                case ResumeEvent.TellCrashed:
                    run.Crashes++;
                    break;
                case ResumeEvent.Charged { Seconds: var seconds }:
                    run.Charge(seconds);
                    break;
                case ResumeEvent.SatOut:
                    run.Disqualified = true;
                    break;
                case ResumeEvent.Swapped:
                    run.Disqualified = false;
                    break;
            }
        return events.Count;
    }

    /// <summary>Tells listeners without journaling: for events a resumed race replays from its journal.</summary>
    private void Notify(RaceEvent raceEvent) => EventRaised?.Invoke(raceEvent);

    /// <summary>
    /// A contestant that can take a turn: it may ask, or has trials in flight to get back, or it sits out but a new build
    /// has arrived.
    /// </summary>
    private static bool IsCandidate(ContestantRun c, RaceSettings settings) =>
        c.CanAsk(settings) || c.Flight.Count > 0 || c.Disqualified && c.PendingEntry is not null;

    /// <summary>
    /// Resume: the trials the journal started that never came back are started again, in the order they were asked and
    /// at the times they started, so they come back when they did in the uninterrupted race. Only these are paid again.
    /// </summary>
    private async Task RestartAsync(
        ContestantRun run,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        foreach (var (index, (plan, startedAt)) in run.Unfinished)
        {
            if (run.Cache.TryGetValue(plan.Key, out var paid))
                // Pending on a trial that came back before the kill: it comes back with it, at no cost.
                run.Flight.Start(
                    paid with
                    {
                        Index = index,
                        CostSeconds = 0,
                        FromCache = true,
                        Continues = plan.Continues?.Index,
                    },
                    startedAt,
                    Math.Max(startedAt, run.LandedAt.GetValueOrDefault(plan.Key))
                );
            else if (run.Flight.Find(plan.Key) is { } original)
                run.Flight.Repeat(index, original, startedAt, plan.Continues?.Index);
            else if (_pool is not null)
                run.Flight.StartRunning(
                    index,
                    plan,
                    EvaluateOnWorkerAsync(run, plan, index, settings, heat, heatSeed, cancellation),
                    startedAt
                );
            else
                run.Flight.Start(
                    await EvaluateAsync(run, plan, index, settings, heat, heatSeed, cancellation),
                    startedAt,
                    askedRung: plan.Rung
                );
        }
        run.Unfinished.Clear();
    }

    /// <summary>
    /// A turn with worker processes (<see cref="Workers.WorkerPool"/>), shared by all contestants: idle workers are
    /// filled, then the first trial to come back, whoever's it is, is recorded and told.
    /// <para>Fair sharing: an idle worker goes to the contestant with the fewest trials in flight among those that can
    /// ask now (ties in turn order), so no contestant gets more than its share by asking faster, and a worker a
    /// sequential contestant cannot use goes to one that can. Budgets stay per contestant.</para>
    /// </summary>
    private async Task PooledTurnAsync(
        RefereeThread thread,
        HeatState state,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        foreach (var contestant in state.Contestants.ToArray())
            if (contestant.PendingEntry is not null || contestant.NeedsRebuild)
                await PrepareTurnAsync(thread, contestant, settings, heat);
        while (state.Contestants.Sum(c => c.Flight.Occupying) < _pool!.Slots)
        {
            var open = new List<ContestantRun>();
            foreach (var contestant in state.Contestants)
                if (
                    contestant.CanAsk(settings)
                    && contestant.Flight.Count < await CapacityAsync(thread, contestant, settings)
                )
                    open.Add(contestant);
            if (open.Count == 0)
                break;
            int fewest = open.Min(c => c.Flight.Count);
            var next = state.NextTurn(c => c.Flight.Count == fewest && open.Contains(c))!;
            if (await StepAsync(thread, next, settings, heat, heatSeed, cancellation))
                return; // it ended at once (a repeat from its cache, a failed ask): that was this turn
        }
        var flying = state.Contestants.Where(c => c.Flight.Count > 0).ToArray();
        if (flying.Length == 0)
            return;
        var done = flying.SelectMany(c => c.Flight.Trials.Select(t => (Contestant: c, Trial: t)));
        if (!done.Any(d => d.Trial.Running is null or { IsCompleted: true }))
        {
            // Stopping the race (Ctrl-C, the console's quit) does not wait for a training to end: its trial was
            // journaled as started and is evaluated again on --resume.
            var anyDone = Task.WhenAny(done.Select(d => d.Trial.Running!));
            if (_estimator is Workers.IEstimatorNotices)
                // A cluster's news (a worker lost, none left and the race waiting) is journaled while it happens, not
                // when a trial next comes back, which may be minutes later.
                while (!anyDone.IsCompleted)
                {
                    await Task.WhenAny(anyDone, Task.Delay(TimeSpan.FromSeconds(1), cancellation));
                    cancellation.ThrowIfCancellationRequested();
                    RaiseEstimatorNotices();
                }
            await anyDone.WaitAsync(cancellation);
        }
        var first = flying
            .Select(c => (Contestant: c, Trial: c.Flight.FirstDone()))
            .Where(d => d.Trial is not null)
            .MinBy(d => (TrialFlight.FinishOf(d.Trial!), d.Trial!.Sequence));
        await LandAsync(thread, first.Contestant, first.Contestant.Flight.Land(first.Trial!), settings, heat);
    }

    /// <summary>Evaluates on a worker process; the continuation stamps when it came back on the contestant's clock.</summary>
    private async Task<WorkerLanding> EvaluateOnWorkerAsync(
        ContestantRun contestant,
        TrialPlan plan,
        int index,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        // Off the referee thread: the time is taken when the worker answers, not when the referee next looks.
        var trial = await EvaluateAsync(contestant, plan, index, settings, heat, heatSeed, cancellation)
            .ConfigureAwait(false);
        return new WorkerLanding(trial, contestant.Flight.Now);
    }

    /// <summary>
    /// A contestant's turn: its free workers are filled (each ask starts a trial, or ends at once: a repeat served from
    /// its cache, a failed ask), then the trial of its that comes back first is recorded and told. One trial per turn,
    /// as in a race with one worker, so partial standings stay fair; with one worker this is ask, evaluate, tell.
    /// </summary>
    private async Task TurnAsync(
        RefereeThread thread,
        ContestantRun contestant,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        while (
            contestant.CanAsk(settings) && contestant.Flight.Count < await CapacityAsync(thread, contestant, settings)
        )
            if (await StepAsync(thread, contestant, settings, heat, heatSeed, cancellation))
                return;
        if (contestant.Flight.Count > 0)
            await LandAsync(thread, contestant, settings, heat);
    }

    /// <summary>
    /// How many trials the contestant may have in flight: one, unless the race has several workers and its instance is an
    /// <see cref="IParallelStrategy"/> (asked once per instance; a strategy whose MaxInFlight throws or hangs gets one).
    /// A strategy in a contestant process (<c>--isolation process</c>) runs with one.
    /// </summary>
    private static async Task<int> CapacityAsync(RefereeThread thread, ContestantRun contestant, RaceSettings settings)
    {
        if (settings.Workers == 1 || contestant.Strategy is not IParallelStrategy parallel)
            return 1;
        if (contestant.Capacity is { } known && ReferenceEquals(known.Instance, parallel))
            return known.Capacity;
        var (limit, failure, _) = await thread.Call(() => parallel.MaxInFlight, settings.CallTimeout);
        int capacity = failure is null ? Math.Clamp(limit, 1, settings.Workers) : 1;
        contestant.Capacity = (parallel, capacity);
        return capacity;
    }

    /// <summary>The contestant's trial that comes back first (<see cref="TrialFlight.Land"/>).</summary>
    private Task LandAsync(RefereeThread thread, ContestantRun contestant, RaceSettings settings, int heat) =>
        LandAsync(thread, contestant, contestant.Flight.Land(), settings, heat);

    /// <summary>Records and tells a trial taken out of the contestant's flight (a repeat comes back as its original did, free).</summary>
    private async Task LandAsync(
        RefereeThread thread,
        ContestantRun contestant,
        FlyingTrial landed,
        RaceSettings settings,
        int heat
    )
    {
        var trial = TrialFlight.ResultOf(landed)
            ?? TrialFlight.ResultOf(landed.SameAs!)! with
            {
                Index = landed.Index,
                CostSeconds = 0,
                FromCache = true,
                Continues = landed.Continues,
            };
        if (!trial.FromCache)
        {
            contestant.Cache[TrialKey.Of(trial)] = trial;
            // Stopped early below the rung it was asked at: asking it there again gets the same answer, free.
            contestant.Cache[new TrialKey(trial.Architecture, landed.Rung)] = trial;
        }
        await FinishAsync(thread, contestant, trial, settings, heat, landed.StartedAt, landed.FinishesAt);
    }

    /// <summary>
    /// A trial that came back: recorded, journaled (with its times on the worker clock in a race with several workers),
    /// then told to the contestant's instance, if it has a sound one.
    /// </summary>
    private async Task FinishAsync(
        RefereeThread thread,
        ContestantRun contestant,
        Trial trial,
        RaceSettings settings,
        int heat,
        double startedAt,
        double finishedAt
    )
    {
        contestant.Record(trial);
        bool timed = settings.Workers > 1;
        Raise(
            new TrialFinished(
                contestant.Label,
                heat,
                trial,
                contestant.BestShown,
                timed ? startedAt : null,
                timed ? finishedAt : null
            )
        );
        // No instance to tell (it sat out, or a timed-out call abandoned it): a rebuild replays this trial with the rest.
        if (contestant.Strategy is null || contestant.Disqualified || contestant.NeedsRebuild)
            return;
        var isolated = contestant.Strategy as Isolation.IsolatedStrategy;
        var (_, tellFailure, tellTimedOut) = await ChargedCallAsync(
            thread,
            contestant,
            heat,
            trial.Index,
            "tell",
            () =>
            {
                contestant.Strategy!.Tell(trial);
                return true;
            },
            settings
        );
        if (tellFailure is not null)
        {
            if (tellTimedOut)
                Abandon(contestant);
            bool crashed = LostProcess(contestant, isolated);
            Raise(new ContestantFailed(contestant.Label, heat, trial.Index, "tell", tellFailure, crashed));
            if (crashed)
                CountCrash(contestant, heat, trial.Index);
        }
        Judge(contestant, settings, heat, trial.Index);
    }

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

    /// <summary>Applies the user's queued commands between trials, in the order given.</summary>
    private async Task ApplyCommandsAsync(
        RefereeThread thread,
        RaceControl control,
        RaceLineup lineup,
        HeatState state,
        RaceSettings settings,
        int heat,
        long heatSeed
    )
    {
        while (control.TryTakeCommand(out var command))
        {
            switch (command)
            {
                case AddContestant add:
                    StrategyEntry entry;
                    KnobValues knobs;
                    try
                    {
                        entry = _strategies.Get(add.Contestant.Strategy);
                        knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs, add.Contestant.Knobs);
                    }
                    catch (Exception e) when (e is NasException or KnobException)
                    {
                        Raise(new CommandRejected($"add {add.Contestant.Label}", e.Message));
                        break;
                    }
                    var slot = lineup.Add(add.Contestant, entry, knobs);
                    Raise(new ContestantAdded(slot.Info, heat));
                    var run = NewRun(slot.Info.Label, entry, knobs, slot.SeedKey, settings);
                    await CreateAsync(thread, run, settings, heat);
                    state.Contestants.Add(run);
                    break;
                case RemoveContestant remove:
                    if (lineup.Find(remove.Label) is not { } leaving)
                        Raise(
                            new CommandRejected(
                                $"remove {remove.Label}",
                                $"There is no contestant '{remove.Label}' in this race."
                            )
                        );
                    else if (lineup.Slots.Count == 1)
                        Raise(
                            new CommandRejected(
                                $"remove {remove.Label}",
                                "A race needs at least one contestant; add another first."
                            )
                        );
                    else
                    {
                        lineup.Slots.Remove(leaving);
                        if (state.Contestants.Find(c => c.Label == remove.Label) is { } removed)
                            await RetireAsync(thread, removed, removed.Strategy, settings, heat);
                        state.Remove(remove.Label);
                        Raise(new ContestantRemoved(remove.Label, heat));
                    }
                    break;
                case RestartHeat:
                    Raise(new HeatRestarted(heat, heatSeed));
                    foreach (var old in state.Contestants)
                        await RetireAsync(thread, old, old.Strategy, settings, heat);
                    state.Reset(await StartHeatAsync(thread, lineup, settings, heat));
                    break;
            }
        }
    }

    private void OnSourceFailed(string origin, string message) => _failedBuilds.Enqueue((origin, message));

    /// <summary>Hands announced builds to the contestants racing them, and journals failed builds they depend on.</summary>
    /// <summary>What the estimator has to say (a cluster's workers joining, lost, refusing), journaled from this thread.</summary>
    private void RaiseEstimatorNotices()
    {
        if (_estimator is not Workers.IEstimatorNotices notices)
            return;
        foreach (var (message, warning) in notices.TakeNotices())
            Raise(new EstimatorNotice(message, warning));
    }

    private void ApplyBuilds(List<ContestantRun> contestants, int heat)
    {
        while (_newBuilds.TryDequeue(out var entry))
            foreach (
                var contestant in contestants.Where(c =>
                    c.Entry.Name == entry.Name && c.Entry.Source.Origin == entry.Source.Origin
                )
            )
                contestant.PendingEntry = entry;
        while (_failedBuilds.TryDequeue(out var failure))
            foreach (var contestant in contestants.Where(c => c.Entry.Source.Origin == failure.Origin))
                Raise(new SwapFailed(contestant.Label, heat, failure.Origin, failure.Message));
    }

    /// <summary>Before a contestant's turn: swap in a pending build, or rebuild an instance abandoned by a timeout.</summary>
    private async Task PrepareTurnAsync(RefereeThread thread, ContestantRun contestant, RaceSettings settings, int heat)
    {
        if (contestant.PendingEntry is { } pending)
        {
            contestant.PendingEntry = null;
            await RebuildAsync(thread, contestant, pending, settings, heat, "new build");
        }
        else if (contestant.NeedsRebuild)
        {
            contestant.NeedsRebuild = false;
            await RebuildAsync(
                thread,
                contestant,
                contestant.Entry,
                settings,
                heat,
                contestant.RebuildReason ?? TimeoutRebuild
            );
        }
    }

    private async Task RebuildAsync(
        RefereeThread thread,
        ContestantRun contestant,
        StrategyEntry entry,
        RaceSettings settings,
        int heat,
        string reason
    )
    {
        var clock = Stopwatch.StartNew();
        KnobValues knobs;
        try
        {
            knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs, contestant.Knobs.All.ToDictionary());
        }
        catch (KnobException e)
        {
            Raise(
                new SwapFailed(
                    contestant.Label,
                    heat,
                    entry.Source.Origin,
                    $"the new build refuses the contestant's knobs: {e.Message}"
                )
            );
            return;
        }
        var history = contestant.History.ToArray();
        // The old instance overran a call (timeout) and may still be running: it keeps its kit, and the new instance
        // gets a fresh one with the same data and seed, so the old one's use of its kit is never charged to the new.
        bool abandoned = contestant.NeedsRebuild || reason is TimeoutRebuild or CrashRebuild;
        if (abandoned)
            contestant.Kit = NewKit(settings, heat, contestant.SeedKey);
        var (factory, startFailure) = await FactoryForAsync(entry);
        var (instance, failure, _) = factory is null
            ? new CallOutcome<IStrategy>(null, startFailure, false)
            : await ChargedCallAsync(
                thread,
                contestant,
                heat,
                history.Length,
                "replay",
                () =>
                {
                    var strategy = factory.Create(knobs);
                    foreach (var trial in history)
                        strategy.Tell(trial);
                    return strategy;
                },
                settings
            );
        if (contestant.Memory.Verdict is not null)
        {
            instance = null; // the replayed instance too: it is what kept the memory
            _memory.Reclaim();
            SitOutForMemory(contestant, heat);
            return;
        }
        if (instance is null)
        {
            Raise(
                new SwapFailed(
                    contestant.Label,
                    heat,
                    entry.Source.Origin,
                    $"replaying {history.Length} trials into the new instance failed: {failure}"
                )
            );
            // A new build that fails leaves the old instance racing; if there is no sound instance left (the old one
            // overran a call, or never got built), the contestant sits out until a build that works arrives.
            if (ReferenceEquals(contestant.Entry, entry) || contestant.Strategy is null)
            {
                contestant.Strategy = null;
                contestant.Disqualified = true;
            }
            return;
        }
        string oldVersion = contestant.Entry.Source.Display;
        // An instance abandoned by a timed-out call may still be running: it is left to the garbage collector.
        if (!abandoned)
            await RetireAsync(thread, contestant, contestant.Strategy, settings, heat);
        (contestant.Entry, contestant.Knobs, contestant.Strategy, contestant.Disqualified) = (
            entry,
            knobs,
            instance,
            false
        );
        (contestant.NeedsRebuild, contestant.RebuildReason) = (false, null); // a new build that replaced an abandoned instance is a sound one
        Raise(
            new ContestantSwapped(
                contestant.Label,
                heat,
                oldVersion,
                entry.Source.Display,
                history.Length,
                clock.Elapsed.TotalMilliseconds,
                reason
            )
        );
    }

    public const string ResumeRebuild = "resume";
    private const string TimeoutRebuild = "rebuilt after a timeout",
        CrashRebuild = "rebuilt after its process crashed";

    /// <summary>
    /// A contestant's training kit for the heat (null when the race offers no data). The weight seed is the same at
    /// every call of the heat, so an instance rebuilt by replay retrains identically.
    /// </summary>
    private TrainingKit? NewKit(RaceSettings settings, int heat, string seedKey)
    {
        long heatSeed = SeedMixer.Derive(settings.Seed, "heat", heat);
        return _training?.KitFor(heatSeed, settings.Fidelity, SeedMixer.Derive(heatSeed, "weights", seedKey));
    }

    private async Task CreateAsync(RefereeThread thread, ContestantRun contestant, RaceSettings settings, int heat)
    {
        contestant.Kit = NewKit(settings, heat, contestant.SeedKey);
        var (factory, startFailure) = await FactoryForAsync(contestant.Entry);
        var outcome = factory is null
            ? new CallOutcome<IStrategy>(null, startFailure, false)
            : await thread.Call(() => factory.Create(contestant.Knobs), settings.CallTimeout);
        if (_memory.Observe(contestant, "create", 0, outcome.Allocated, outcome.OutOfMemory))
        {
            outcome = default; // drops the instance, if the constructor returned one
            DropForMemory(contestant);
            SitOutForMemory(contestant, heat);
            return;
        }
        var (instance, failure, _) = outcome;
        if (instance is not null)
            contestant.Strategy = instance;
        else
        {
            contestant.Disqualified = true;
            Raise(new ContestantFailed(contestant.Label, heat, 0, "create", failure!));
        }
    }

    /// <summary>
    /// Asks the contestant for its next trial. True when the step ended at once (a failed ask, or a repeat served from
    /// its cache, recorded and told); false when a trial was started (it comes back through <see cref="LandAsync"/>).
    /// </summary>
    private async Task<bool> StepAsync(
        RefereeThread thread,
        ContestantRun contestant,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        int index = contestant.Used + contestant.Flight.Count;
        int askSeed = SeedMixer.ToInt32(SeedMixer.Derive(heatSeed, contestant.SeedKey, index));
        var context = new SearchContext
        {
            Space = _space,
            Random = new Random(askSeed),
            AskIndex = index,
            EvaluationBudget = settings.Budget,
            SecondsBudget = settings.BudgetSeconds,
            EvaluationsUsed = contestant.Used,
            SecondsUsed = contestant.Seconds,
            TrainingSetup = contestant.Kit,
            Objective = settings.Objective.Description,
            Pending = contestant.Flight.Count == 0 ? [] : contestant.Flight.Pending(),
            Fidelities = settings.Fidelities,
            EpochBudget = settings.BudgetEpochs,
            EpochsUsed = contestant.Epochs,
        };
        // The calls reach the instance through the contestant, never a local: the memory guard may drop it mid-step.
        // Only an isolated instance is kept in a local (it holds no memory here): an in-process one must not outlive a drop.
        var isolated = contestant.Strategy as Isolation.IsolatedStrategy;
        if (isolated is not null)
            isolated.AskSeed = askSeed; // its process makes the same Random
        var multiFidelity = settings.MultiFidelity ? contestant.Strategy as IMultiFidelityStrategy : null;
        var (ask, failure, timedOut) = await ChargedCallAsync(
            thread,
            contestant,
            heat,
            index,
            "ask",
            () =>
                multiFidelity is not null ? multiFidelity.AskTrial(context)
                : contestant.Strategy!.Ask(context) is { } answer ? new TrialAsk { Architecture = answer }
                : null,
            settings
        );
        contestant.TimeoutsInARow = timedOut ? contestant.TimeoutsInARow + 1 : 0;
        if (failure is not null)
        {
            if (timedOut)
                Abandon(contestant);
            bool crashed = LostProcess(contestant, isolated);
            Fault(contestant, heat, index, "ask", failure, crashed);
            if (crashed)
                CountCrash(contestant, heat, index);
            Judge(contestant, settings, heat, index);
            return true;
        }
        if (contestant.Strategy is null) // it answered, but keeps too much memory: dropped, its answer with it
        {
            Judge(contestant, settings, heat, index);
            return true;
        }
        var architecture = ask?.Architecture;
        if (architecture is null || !_space.Contains(architecture))
        {
            Fault(
                contestant,
                heat,
                index,
                "ask",
                architecture is null
                    ? "Ask returned null."
                    : $"Ask returned '{architecture.Key}', which is not in space '{_space.Name}'."
            );
            Judge(contestant, settings, heat, index);
            return true;
        }
        var (resolved, refusal) = TrialPlans.Resolve(ask!, contestant, settings);
        var plan = settings.EarlyStop is null
            ? resolved
            : resolved! with
            {
                EarlyStopReference = EarlyStopReference(contestant),
            };
        if (refusal is not null)
        {
            Fault(contestant, heat, index, "ask", refusal);
            Judge(contestant, settings, heat, index);
            return true;
        }

        if (!contestant.Cache.TryGetValue(plan!.Key, out var paid))
        {
            // Evaluated now, back after its cost on the contestant's worker clock; a repeat of a pending architecture
            // comes back with it, at no cost, as a repeat of a finished one is served from the cache.
            var flying =
                contestant.Flight.Find(plan.Key) is { } original
                    ? contestant.Flight.Repeat(index, original, continues: plan.Continues?.Index)
                : _pool is not null
                    ? contestant.Flight.StartRunning(
                        index,
                        plan,
                        EvaluateOnWorkerAsync(contestant, plan, index, settings, heat, heatSeed, cancellation)
                    )
                : contestant.Flight.Start(
                    await EvaluateAsync(contestant, plan, index, settings, heat, heatSeed, cancellation),
                    askedRung: plan.Rung
                );
            if (settings.Workers > 1 || settings.MultiFidelity)
                Raise(
                    new TrialStarted(contestant.Label, heat, index, architecture, flying.StartedAt)
                    {
                        Rung = plan.Rung,
                        Continues = plan.Continues?.Index,
                    }
                );
            return false;
        }
        double now = contestant.Flight.Now;
        await FinishAsync(
            thread,
            contestant,
            paid with
            {
                Index = index,
                CostSeconds = 0,
                FromCache = true,
                Continues = plan.Continues?.Index,
            },
            settings,
            heat,
            now,
            now
        );
        return true;
    }

    /// <summary>
    /// Runs a contestant's call with the call timeout; when the contestant touched its training kit during the call,
    /// charges the call's wall time (minus time the kit spent loading data for the host) and journals the charge.
    /// </summary>
    private async Task<CallOutcome<T>> ChargedCallAsync<T>(
        RefereeThread thread,
        ContestantRun contestant,
        int heat,
        int index,
        string phase,
        Func<T> call,
        RaceSettings settings
    )
    {
        var kit = contestant.Kit;
        long touches = kit?.Touches ?? 0;
        double hostSeconds = kit?.HostSeconds ?? 0;
        long start = Stopwatch.GetTimestamp();
        var outcome = await thread.Call(call, settings.CallTimeout);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        // Before anything is written: a heap at its limit has no room for it until the instance is dropped.
        if (_memory.Observe(contestant, phase, index, outcome.Allocated, outcome.OutOfMemory))
            DropForMemory(contestant);
        if (kit is not null && kit.Touches != touches)
        {
            double seconds = Math.Max(0, elapsed - (kit.HostSeconds - hostSeconds));
            contestant.Charge(seconds);
            Raise(new SearchCharged(contestant.Label, heat, index, phase, seconds));
        }
        return outcome;
    }

    /// <summary>
    /// After the contestant's Ask or Tell overran the call timeout: its instance may still be running, so it is rebuilt
    /// by replay before its next ask, and its kit is revoked, so that a search training on it stops at its next touch.
    /// </summary>
    private static void Abandon(ContestantRun contestant)
    {
        contestant.NeedsRebuild = true;
        contestant.Kit?.Revoke();
    }

    /// <summary>Disposes a strategy instance that is done with, if it is disposable; a failure is journaled, nothing more.</summary>
    private async Task RetireAsync(
        RefereeThread thread,
        ContestantRun contestant,
        IStrategy? strategy,
        RaceSettings settings,
        int heat
    )
    {
        if (strategy is not IDisposable disposable || contestant.NeedsRebuild)
            return;
        var (_, failure, _) = await thread.Call(
            () =>
            {
                disposable.Dispose();
                return true;
            },
            settings.CallTimeout
        );
        if (failure is not null)
            Raise(new ContestantFailed(contestant.Label, heat, contestant.Used, "dispose", failure));
    }

    /// <summary>The curves of the contestant's own paid, ok trials so far: what <c>--early-stop</c> compares a trial with.</summary>
    private static IReadOnlyList<IReadOnlyList<EpochResult>> EarlyStopReference(ContestantRun contestant) =>
        contestant
            .History.Where(t => !t.FromCache && t.Status == TrialStatus.Ok && t.Curve.Count > 0)
            .Select(t => t.Curve)
            .ToArray();

    /// <summary>
    /// Evaluates a trial; with <c>--early-stop</c> one that spans several rungs is trained rung by rung (each step a
    /// continuation of the one before, through the checkpoints) and may stop after any rung below its own
    /// (<see cref="EarlyStopping"/>): it then comes back at the rung it reached, having paid for those epochs only.
    /// </summary>
    private async Task<Trial> EvaluateAsync(
        ContestantRun contestant,
        TrialPlan plan,
        int index,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        if (settings.EarlyStop is not { } rule || plan is not { Rung: { } target, EarlyStopReference: { } reference })
            return await EvaluateOnceAsync(contestant, plan, index, settings, heat, heatSeed, cancellation);
        int topEpochs = settings.Fidelities[^1];
        var parent = plan.Continues;
        double cost = 0;
        for (int rung = (parent?.Rung ?? -1) + 1; rung < target; rung++)
        {
            var step = await EvaluateOnceAsync(
                contestant,
                new TrialPlan(plan.Architecture, settings.FidelityAt(rung), rung, parent),
                index,
                settings,
                heat,
                heatSeed,
                cancellation
            );
            cost += step.CostSeconds;
            string? stop =
                step.Status == TrialStatus.Ok
                    ? EarlyStopping.Check(rule, step.Curve, settings.Fidelities[rung], topEpochs, reference)
                    : step.Message;
            if (stop is not null)
                return step with { CostSeconds = cost, Continues = plan.Continues?.Index, Message = stop };
            parent = step;
        }
        var last = await EvaluateOnceAsync(
            contestant,
            plan with
            {
                Continues = parent,
            },
            index,
            settings,
            heat,
            heatSeed,
            cancellation
        );
        return last with { CostSeconds = cost + last.CostSeconds, Continues = plan.Continues?.Index };
    }

    private async Task<Trial> EvaluateOnceAsync(
        ContestantRun contestant,
        TrialPlan plan,
        int index,
        RaceSettings settings,
        int heat,
        long heatSeed,
        CancellationToken cancellation
    )
    {
        var architecture = plan.Architecture;
        var request = new EvaluationRequest
        {
            // The same architecture in the same heat gets the same seed for every contestant: equal noise, fair.
            Seed = SeedMixer.Derive(heatSeed, "architecture", architecture.Key),
            DataSeed = heatSeed,
            Fidelity = plan.Fidelity,
            Checkpoint = _checkpoints?.For(contestant, plan, heat, settings),
        };
        EvaluationResult result;
        try
        {
            result = await _estimator.EvaluateAsync(architecture, request, cancellation);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            result = new EvaluationResult
            {
                Status = TrialStatus.Failed,
                Metrics = new Metrics(),
                CostSeconds = 0,
                Fidelity = plan.Fidelity,
                Message = $"{e.GetType().Name}: {e.Message}",
            };
        }
        return settings.Objective.Score(
            new Trial
            {
                Index = index,
                Architecture = architecture,
                Status = result.Status,
                Metrics = result.Metrics,
                CostSeconds = result.CostSeconds,
                // In a ladder race a trial's epochs are its rung's, whatever else the estimator reports.
                Fidelity = plan.Rung is null ? result.Fidelity : result.Fidelity with { Epochs = plan.Fidelity.Epochs },
                Message = result.Message,
                Rung = plan.Rung,
                Continues = plan.Continues?.Index,
                Curve = result.Curve,
            },
            _estimator.Name
        );
    }

    /// <summary>Steps in a row that spent nothing after which a contestant sits out the heat, under a seconds budget alone (see <see cref="Judge"/>).</summary>
    public const int MaxFreeStepsInARow = 1000;

    /// <summary>Asks in a row that overran the call timeout after which a contestant sits out the heat.</summary>
    public const int MaxTimeoutsInARow = 3;

    public const string RepeatsPhase = SitOutPhases.Repeats;

    /// <summary>
    /// After a contestant's step: makes it sit out the rest of the heat (a new build brings it back) when it would stall
    /// the race or sink it.
    /// <list type="bullet">
    /// <item>Memory: it ran out, or keeps too much (<see cref="MemoryGuard"/>); its instance is already dropped.</item>
    /// <item>Timeouts: <see cref="MaxTimeoutsInARow"/> asks in a row overran the call timeout. Each costs the whole
    /// timeout in wall time (30 s by default), and a rebuilt instance that hangs again would cost it at every turn.</item>
    /// <item>Free steps: <see cref="MaxFreeStepsInARow"/> steps in a row spent nothing: repeats served from its cache and
    /// asks that failed (threw, returned null or an architecture outside the space) cost no seconds, so under a seconds
    /// budget alone such a strategy would never finish, and the race with it. With an evaluation budget each one uses an
    /// evaluation up, so the budget ends it.</item>
    /// </list>
    /// </summary>
    private void Judge(ContestantRun contestant, RaceSettings settings, int heat, int index)
    {
        if (contestant.Memory.Verdict is not null)
            SitOutForMemory(contestant, heat);
        else if (contestant.TimeoutsInARow >= MaxTimeoutsInARow)
            SitOut(
                contestant,
                heat,
                index,
                SitOutPhases.Timeouts,
                string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"overran the call timeout ({settings.CallTimeout.TotalSeconds:0.###} s) in {MaxTimeoutsInARow} asks in a row; it sits out the rest of the heat"
                )
            );
        else if (settings.Budget is null && contestant.FreeStepsInARow >= MaxFreeStepsInARow)
        {
            int failed = contestant.FailedAsksInARow;
            SitOut(
                contestant,
                heat,
                index,
                failed == 0 ? SitOutPhases.Repeats : SitOutPhases.Faults,
                failed == 0
                    ? $"asked {MaxFreeStepsInARow} times in a row for architectures it had already evaluated; it sits out the rest of the heat"
                    : $"spent nothing in {MaxFreeStepsInARow} asks in a row ({failed} failed, {MaxFreeStepsInARow - failed} repeats), so under a seconds "
                        + "budget alone it would never finish; it sits out the rest of the heat"
            );
        }
    }

    private void SitOut(ContestantRun contestant, int heat, int index, string phase, string reason)
    {
        contestant.Disqualified = true;
        Raise(new ContestantFailed(contestant.Label, heat, index, phase, reason));
    }

    /// <summary>
    /// Drops the instance of a contestant that ran out of memory or keeps too much (it holds the memory; it is not
    /// disposed, having misbehaved), makes it sit out, and collects, so the memory is free before anything is written.
    /// </summary>
    private void DropForMemory(ContestantRun contestant)
    {
        (contestant.Strategy, contestant.NeedsRebuild, contestant.Disqualified) = (null, false, true);
        contestant.Memory.Kept = 0; // what it kept went with it
        _memory.Reclaim();
    }

    /// <summary>Journals why the memory guard dropped a contestant's instance (<see cref="DropForMemory"/>).</summary>
    private void SitOutForMemory(ContestantRun contestant, int heat)
    {
        if (contestant.Memory.Verdict is not { } verdict)
            return;
        contestant.Memory.Verdict = null;
        SitOut(contestant, heat, verdict.Index, SitOutPhases.Memory, verdict.Reason);
    }

    private void Fault(
        ContestantRun contestant,
        int heat,
        int index,
        string phase,
        string message,
        bool crashed = false
    )
    {
        contestant.AskFailed();
        Raise(new ContestantFailed(contestant.Label, heat, index, phase, message, crashed));
    }

    /// <summary>
    /// The factory that makes the entry's instances: the entry's own, or under <c>--isolation process</c> one that makes
    /// them in a contestant process, started here if none is idle (host overhead, so outside the contestant's call
    /// timeout). A process that cannot start comes back as the failure.
    /// </summary>
    private async Task<(IStrategyFactory? Factory, string? Failure)> FactoryForAsync(StrategyEntry entry)
    {
        if (_isolation is null)
            return (entry.Factory, null);
        try
        {
            await _isolation.PrepareAsync(entry);
            return (_isolation.For(entry), null);
        }
        catch (Exception e) when (e is Isolation.ContestantProcessException or NasException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// After a failed call: an instance whose contestant process died or was stopped can take no more calls, so the
    /// contestant is rebuilt by replay in a fresh process before its next ask. True when the process crashed on its own.
    /// </summary>
    private static bool LostProcess(ContestantRun contestant, Isolation.IsolatedStrategy? isolated)
    {
        if (isolated is not { Dead: true })
            return false;
        contestant.NeedsRebuild = true;
        if (isolated.Crashed)
            contestant.RebuildReason = CrashRebuild;
        return isolated.Crashed;
    }

    /// <summary>Process crashes in one heat after which a contestant sits out the rest of the heat (a new build brings it back).</summary>
    public const int MaxCrashesPerHeat = 3;

    public const string CrashesPhase = SitOutPhases.Crashes;

    private void CountCrash(ContestantRun contestant, int heat, int index)
    {
        if (++contestant.Crashes < MaxCrashesPerHeat || contestant.Disqualified)
            return;
        contestant.Disqualified = true;
        Raise(
            new ContestantFailed(
                contestant.Label,
                heat,
                index,
                CrashesPhase,
                $"its process crashed {MaxCrashesPerHeat} times in this heat; it sits out the rest of the heat"
            )
        );
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
