using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

// The resume half of a race (nas race --resume): finished heats replayed into standings, a running heat's recorded
// steps put back, and the trials that never came back started again.
public sealed partial class Referee
{
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
}
