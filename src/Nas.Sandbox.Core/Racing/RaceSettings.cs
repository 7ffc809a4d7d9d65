using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Objectives;

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

    /// <summary>The table's column mapping (<c>--table-columns</c>) and whether it is in percent (<c>--table-percent</c>), as given.</summary>
    public string? TableColumns { get; init; }
    public bool? TablePercent { get; init; }

    /// <summary>
    /// What a lookup reported, <c>mean</c> or <c>sample</c> (<c>--table-seeds</c>, resolved): journaled, so a resume
    /// looks up the same way. A journal without it was raced before per-seed lookups existed, with the mean.
    /// </summary>
    public string? TableSeeds { get; init; }

    /// <summary>Evaluations per contestant per heat (a repeat served from the contestant's cache counts too).</summary>
    public int? Budget { get; init; }

    /// <summary>Seconds per contestant per heat (measured for training).</summary>
    public double? BudgetSeconds { get; init; }

    /// <summary>
    /// Epochs of training per contestant per heat (<c>--budget-epochs</c>, or <c>--budget N</c> in a race with a
    /// fidelity ladder: N evaluations at the top rung). A trial pays the epochs it trained: its rung's, less those of the
    /// trial it continued; a repeat served from the cache pays none.
    /// </summary>
    public double? BudgetEpochs { get; init; }

    /// <summary>
    /// The fidelity ladder in epochs, increasing (<c>--fidelities 1,3,9</c>): what an <see cref="IMultiFidelityStrategy"/>
    /// asks for by rung; every other strategy's trials run at the top rung. Empty: no ladder, every trial at
    /// <see cref="Fidelity"/>, as before.
    /// </summary>
    public IReadOnlyList<int> Fidelities { get; init; } = [];

    /// <summary>
    /// The early-stopping rule every trial spanning several rungs is checked with after each rung (<c>--early-stop</c>,
    /// <see cref="EarlyStopping"/>): <c>median</c> or <c>curve</c>; null for none. Needs a fidelity ladder.
    /// </summary>
    public string? EarlyStop { get; init; }

    /// <summary>True in a race with a fidelity ladder (<see cref="Fidelities"/>).</summary>
    public bool MultiFidelity => Fidelities.Count > 0;

    /// <summary>
    /// Where trials' training checkpoints are kept so that a continuation pays only its extra epochs (a race with a
    /// fidelity ladder): one folder per heat, deleted when the heat ends. Null: a temporary folder of the race's own.
    /// </summary>
    public string? WorkFolder { get; init; }

    /// <summary>The fidelity of a trial at <paramref name="rung"/> (null: the top rung, or the race's fidelity without a ladder).</summary>
    public Fidelity FidelityAt(int? rung) =>
        MultiFidelity ? Fidelity with { Epochs = Fidelities[rung ?? Fidelities.Count - 1] } : Fidelity;

    public int Heats { get; init; } = 1;

    /// <summary>
    /// Trials each contestant may have in flight at once (<c>--workers</c>). A strategy that is not an
    /// <see cref="IParallelStrategy"/> still has one at a time. Each contestant's workers run on its own worker clock
    /// (<see cref="TrialFlight"/>): simulated from the table's training seconds in a tabular race.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>A bound on <see cref="Workers"/> that no real search needs, so a typo cannot ask for millions.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>
    /// The <c>--workers</c> the user gave to cap a cluster training race's slots; null when the cluster decided, and in
    /// every other race (there <see cref="Workers"/> is what <c>--workers</c> said). On a cluster <see cref="Workers"/> is
    /// the slots the race started with, so only this cap is given again when the race is resumed: a resumed race takes
    /// every slot the cluster has by then unless the user capped it.
    /// </summary>
    public int? WorkersCap { get; init; }

    public long Seed { get; init; }
    public Fidelity Fidelity { get; init; } = new();

    /// <summary>Validation images per evaluation of a training race (--validation-images), journaled so a resume or re-run uses them.</summary>
    public int? ValidationImages { get; init; }

    /// <summary>
    /// How latency is measured (--latency-warmup, --latency-repeats) in a race that measures it: its objective reads a
    /// latency metric and its estimator runs networks (not a table, which holds latency already). Null otherwise.
    /// Journaled so a resume or re-run measures the same way.
    /// </summary>
    public Evaluation.Model.LatencySettings? Latency { get; init; }

    /// <summary>How long a strategy's constructor, Ask or Tell may take before the call is failed (--call-timeout).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Contestants run in child processes (<c>--isolation process</c>; the referee is given the processes). Journaled so
    /// that a resumed race isolates its contestants again.
    /// </summary>
    public bool ContestantProcesses { get; init; }

    /// <summary>
    /// Trials run on worker processes shared by all contestants (several workers, an estimator that is not a table's);
    /// a table's workers are simulated, each contestant's own.
    /// </summary>
    public bool WorkerProcesses => (Workers > 1 || Cluster is not null) && Estimator != "tabular";

    /// <summary>
    /// The cluster whose workers evaluate the race's trials (<c>--cluster</c>, e.g. <c>redis://HOST:PORT</c>); null for
    /// this machine. A tabular race on a cluster still simulates its workers' time: only the lookups are remote.
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>
    /// libtorch's CPU thread count in a race that trains (null otherwise): results are bit-identical only at the same
    /// count, so it is journaled and a resume with another count is warned about.
    /// </summary>
    public int? TorchThreads { get; init; }

    /// <summary>
    /// Managed memory one contestant may keep, in GiB (--contestant-memory); null for a quarter of the process's heap
    /// limit (<see cref="MemoryGuard"/>).
    /// </summary>
    public double? ContestantMemoryGiB { get; init; }

    /// <summary>What the race maximises (--objective): accuracy, a scalarised sum, or a Pareto front.</summary>
    public RaceObjective Objective { get; init; } = RaceObjective.Accuracy;

    /// <summary>Reference values given with --reference (metric units), for a Pareto race; others take their defaults.</summary>
    public IReadOnlyDictionary<string, double>? Reference { get; init; }

    /// <summary>
    /// The plugin and script folders given on the command line (<c>--plugins</c>, <c>--scripts</c>), as full paths:
    /// journaled so that a resume loads the spaces, operations and estimators they provide again without being told.
    /// </summary>
    public IReadOnlyList<string> PluginFolders { get; init; } = [];
    public IReadOnlyList<string> ScriptFolders { get; init; } = [];

    /// <summary>The worst value of each cost known in the space before the race (a table's maximum), by metric name.</summary>
    public IReadOnlyDictionary<string, double>? KnownWorstCosts { get; init; }

    /// <summary>Where <see cref="KnownWorstCosts"/> come from, e.g. "worst in table nb201-fmnist-3op.csv".</summary>
    public string? KnownWorstSource { get; init; }

    public void Validate()
    {
        if (Contestants.Count == 0)
            throw new NasException("A race needs at least one contestant (--strategy).");
        if (Budget is null && BudgetSeconds is null && BudgetEpochs is null)
            throw new NasException("A race needs a budget: --budget N, --budget-epochs E and/or --budget-seconds S.");
        if (EarlyStop is not null && !EarlyStopping.Rules.Contains(EarlyStop))
            throw new NasException(
                $"--early-stop must be {string.Join(" or ", EarlyStopping.Rules)}, not '{EarlyStop}'."
            );
        if (EarlyStop is not null && Fidelities.Count < 2)
            throw new NasException(
                $"--early-stop {EarlyStop} stops trials between rungs: it needs a fidelity ladder of at least two rungs (--fidelities 1,3,9)."
            );
        if (BudgetEpochs is { } epochs && !(double.IsFinite(epochs) && epochs > 0))
            throw new NasException($"--budget-epochs must be positive, not {BudgetEpochs}.");
        if (
            Fidelities.Count > 0
            && (Fidelities[0] < 1 || Fidelities.Zip(Fidelities.Skip(1)).Any(p => p.Second <= p.First))
        )
            throw new NasException(
                $"--fidelities {string.Join(',', Fidelities)}: the ladder must be increasing whole epochs from at least 1."
            );
        if (Budget is < 1)
            throw new NasException($"--budget must be at least 1, not {Budget}.");
        if (BudgetSeconds is { } seconds && !(double.IsFinite(seconds) && seconds > 0))
            throw new NasException($"--budget-seconds must be positive, not {BudgetSeconds}.");
        if (Heats < 1)
            throw new NasException($"--heats must be at least 1, not {Heats}.");
        if (Workers < 1)
            throw new NasException($"--workers must be at least 1, not {Workers}.");
        if (Workers > MaxWorkers)
            throw new NasException($"--workers {Workers}: at most {MaxWorkers} per contestant.");
        if (Reference is { Count: > 0 } && !Objective.IsPareto)
            throw new NasException(
                $"--reference is for a Pareto race (--objective pareto:...), not '{Objective.Text}'."
            );
        // (NaN and infinity fail these checks: a journal holds neither as a number, so a resumed race would differ.)
        if (ContestantMemoryGiB is { } memory && !(double.IsFinite(memory) && memory > 0))
            throw new NasException($"--contestant-memory must be positive, not {memory}.");
        if (CallTimeout <= TimeSpan.Zero)
            throw new NasException($"--call-timeout must be positive, not {CallTimeout.TotalSeconds}.");
    }
}
