using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Core.Racing;

// Evaluation: a trial plan handed to the estimator (rung by rung under --early-stop) and turned into a scored Trial.
public sealed partial class Referee
{
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
}
