using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>What every contestant of a race shares: space, estimator, budget, heats and seed.</summary>
public sealed record RaceSettings
{
    public required IReadOnlyList<ContestantSpec> Contestants { get; init; }
    public string Space { get; init; } = "nb201";
    public string Estimator { get; init; } = "train";
    public string Dataset { get; init; } = "fashion-mnist";
    /// <summary>The tabular benchmark looked up (full path), for a tabular race.</summary>
    public string? Table { get; init; }
    /// <summary>Evaluations per contestant per heat (a repeat served from the contestant's cache counts too).</summary>
    public int? Budget { get; init; }
    /// <summary>Seconds per contestant per heat (measured for training).</summary>
    public double? BudgetSeconds { get; init; }
    public int Heats { get; init; } = 1;
    public long Seed { get; init; }
    public Fidelity Fidelity { get; init; } = new();
    /// <summary>How long a strategy's constructor, Ask or Tell may take before the call is failed (--call-timeout).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (Contestants.Count == 0) throw new NasException("A race needs at least one contestant (--strategy).");
        if (Budget is null && BudgetSeconds is null) throw new NasException("A race needs a budget: --budget N and/or --budget-seconds S.");
        if (Budget is < 1) throw new NasException($"--budget must be at least 1, not {Budget}.");
        if (BudgetSeconds is <= 0) throw new NasException($"--budget-seconds must be positive, not {BudgetSeconds}.");
        if (Heats < 1) throw new NasException($"--heats must be at least 1, not {Heats}.");
        if (CallTimeout <= TimeSpan.Zero) throw new NasException($"--call-timeout must be positive, not {CallTimeout.TotalSeconds}.");
    }
}
