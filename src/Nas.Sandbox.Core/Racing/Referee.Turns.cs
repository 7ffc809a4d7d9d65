using System.Diagnostics;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

// Turns: a contestant asks (StepAsync), its trials fly on the workers, the first one back is recorded, journaled and
// told (LandAsync, FinishAsync); with a worker pool, idle workers are shared fairly (PooledTurnAsync).
public sealed partial class Referee
{
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
}
