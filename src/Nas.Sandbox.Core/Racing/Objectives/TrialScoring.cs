using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>How the referee applies the race's objective to a finished evaluation.</summary>
public static class TrialScoring
{
    /// <summary>
    /// <paramref name="trial"/> with <see cref="Trial.Objective"/> (and <see cref="Trial.Objectives"/> in a Pareto race)
    /// set when it is ok. An ok trial lacking a metric the objective needs becomes a failed trial that says which and
    /// which estimator, so no strategy ranks it and the journal shows why.
    /// </summary>
    public static Trial Score(this RaceObjective objective, Trial trial, string estimator)
    {
        if (trial.Status != TrialStatus.Ok)
            return trial;
        var (value, vector, missing) = objective.Evaluate(trial.Metrics);
        if (missing is not null)
            return trial with
            {
                Status = TrialStatus.Failed,
                Message =
                    $"--objective {objective.Text} needs {missing.Name} ({missing.Description}), which estimator '{estimator}' did not report",
            };
        return trial with { Objective = value, Objectives = vector };
    }
}
