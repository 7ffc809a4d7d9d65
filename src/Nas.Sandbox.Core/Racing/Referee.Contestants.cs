using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing.Training;

namespace Nas.Sandbox.Core.Racing;

// Contestants' instances: created, swapped to a new build or rebuilt by replay, added, removed and disposed; their
// training kits and, under --isolation process, their processes.
public sealed partial class Referee
{
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
}
