using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cluster;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Isolation;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Racing.Workers;

namespace Nas.Sandbox.Cli;

/// <summary>
/// The options `nas race` and `nas tui` share (reference: docs/reference/cli.md), and how they become a race ready to
/// run: settings validated, names resolved, data loaded.
/// </summary>
internal sealed class RaceOptions
{
    public static readonly string[] DefaultStrategies = ["random-search", "regularized-evolution"];
    public const int DefaultTrainingBudget = 16;

    /// <summary>Defaults of a tabular race (a lookup costs nothing): a longer search, repeated over 10 heats.</summary>
    public const int DefaultTabularBudget = 100,
        DefaultTabularHeats = 10;

    private const string TabularEstimatorName = "tabular";

    private readonly Option<string[]> _strategy = new("--strategy")
    {
        Description = "contestant NAME[:knob=value,...] (repeatable) [random-search, regularized-evolution]",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<string> _space = new("--space")
    {
        Description = "search space",
        DefaultValueFactory = _ => "nb201",
    };
    private readonly Option<string?> _operations = new("--operations")
    {
        Description =
            "comma-separated operations a choice can take: the cell's edges, the macro space's layers (built-in, or from plugins or scripts) [the space's own: NB201's five; macro's six mbconv and skip_connect]",
    };
    private readonly Option<string> _estimator = new("--estimator")
    {
        Description =
            "train (low-fidelity TorchSharp training), tabular (look up --table), a zero-cost proxy, or a plugin's or script's estimator",
        DefaultValueFactory = _ => "train",
    };
    private readonly TableOptions _table = new();
    private readonly Option<string> _dataset = CommonOptions.Dataset();
    private readonly Option<int?> _budget = new("--budget")
    {
        Description =
            $"evaluations per contestant per heat [{DefaultTrainingBudget}, {DefaultTabularBudget} for tabular, when no budget is given]",
    };
    private readonly Option<double?> _budgetSeconds = new("--budget-seconds")
    {
        Description = "seconds per contestant per heat (measured training time; simulated for tabular)",
    };
    private readonly Option<double?> _budgetEpochs = new("--budget-epochs")
    {
        Description =
            "epochs of training per contestant per heat (a continuation pays only its extra epochs) [with --fidelities: --budget N "
            + "means N evaluations at the top rung]",
    };
    private readonly Option<string?> _fidelities = new("--fidelities")
    {
        Description =
            "fidelity ladder in epochs, increasing (e.g. 1,3,9): multi-fidelity strategies ask by rung and continue trials; the "
            + "others train to the top rung, which is also the cosine schedule's horizon",
        HelpName = "EPOCHS",
    };
    private readonly Option<string?> _earlyStop = new("--early-stop")
    {
        Description =
            "stop a trial between rungs of --fidelities when it looks worse than the contestant's earlier trials: median (below their "
            + "median at that epoch) or curve (its extrapolated learning curve ends below their best)",
        HelpName = "RULE",
    };
    private readonly Option<int> _workers = new("--workers")
    {
        Description =
            "trials evaluated at once: with a training, proxy, plugin or script estimator, N worker processes shared fairly by the "
            + "contestants; on a table (--estimator tabular), N workers per contestant simulated on its own worker clock from the "
            + "table's training seconds [1]",
        DefaultValueFactory = _ => 1,
    };
    private readonly Option<string?> _cluster = new("--cluster")
    {
        Description =
            "evaluate on a cluster's workers (nas worker) instead of this machine: redis://HOST[:PORT] or localhost; "
            + "--workers then caps the trials in flight [all the cluster's slots]",
    };
    private readonly Option<int?> _workerThreads = new("--worker-threads")
    {
        Description =
            "libtorch threads of each worker (of the race itself with one worker) [cores / workers, at least 1]",
    };
    private readonly Option<double> _workerTimeout = new("--worker-timeout")
    {
        Description =
            "seconds one trial may take on a worker process; longer, and the worker is stopped and replaced and the trial fails",
        DefaultValueFactory = _ => 3600,
    };
    private readonly Option<int?> _heats = new("--heats")
    {
        Description = $"independent repetitions with seeds derived from --seed [1, {DefaultTabularHeats} for tabular]",
    };
    private readonly Option<long> _seed = new("--seed") { Description = "master seed", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> _journal = new("--journal")
    {
        Description = "JSON-lines journal [runs/race-<UTC time>.jsonl]",
    };
    private readonly Option<string> _device = CommonOptions.Device();
    private readonly FidelityOptions _fidelity = new();
    private readonly Option<double> _callTimeout = new("--call-timeout")
    {
        Description = "seconds a strategy's constructor, Ask or Tell may take",
        DefaultValueFactory = _ => 30,
    };

    /// <summary>An estimator named by a script's path, in full; a name as it is.</summary>
    private static string FullScriptPath(string estimator) =>
        estimator.EndsWith(".csx", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(estimator) : estimator;

    /// <summary>A week: longer than any strategy call should take, and far inside what a TimeSpan holds.</summary>
    private const double MaxCallTimeoutSeconds = 7 * 24 * 3600;

    /// <summary>
    /// <c>--call-timeout</c> in whole ticks, rounded (TimeSpan.FromSeconds truncates, so a journaled value would read back a
    /// tick shorter); NaN, infinity and values no TimeSpan holds are one error, not an exception.
    /// </summary>
    private static TimeSpan CallTimeout(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= MaxCallTimeoutSeconds
            ? TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))
            : throw new NasException(
                $"--call-timeout must be a positive number of seconds, at most {MaxCallTimeoutSeconds} (a week), not {seconds.ToString(CultureInfo.InvariantCulture)}."
            );

    private readonly Option<double?> _contestantMemory = new("--contestant-memory")
    {
        Description =
            "GiB of managed memory one contestant may keep; more, and its instance is dropped for the heat [a quarter of nas's heap limit]",
        HelpName = "GIB",
    };
    private readonly Option<string[]> _plugins = CommonOptions.Plugins();
    private readonly Option<string[]> _scripts = CommonOptions.Scripts();
    private readonly Option<string?> _league = CommonOptions.League();
    private readonly Option<string> _objective = new("--objective")
    {
        Description =
            "what the race maximises: accuracy; a sum like accuracy-0.5*params (params and flops in millions, "
            + "latency1/latency64 in ms at batch 1/64); or a Pareto front pareto:accuracy,params (2 or 3 metrics)",
        DefaultValueFactory = _ => "accuracy",
    };
    private readonly Option<string?> _reference = new("--reference")
    {
        Description =
            "reference point of a Pareto race's hypervolume, NAME=VALUE,... in the metrics' units "
            + "[accuracy 0; each cost at its worst in the table, or the worst seen in the race]",
    };
    private readonly LatencyOptions _latency = new();
    private readonly Option<string> _isolation = new("--isolation")
    {
        Description =
            "where contestants run: in-process (fastest; exceptions, hangs and runaway memory are caught) or process (each in a "
            + "child process, so that Environment.Exit, a stack overflow or a native crash costs that contestant only)",
        DefaultValueFactory = _ => InProcess,
    };
    private const string InProcess = "in-process",
        OwnProcess = "process";

    public Option<bool> Verbose { get; } = CommonOptions.Verbose();

    public void AddTo(Command command)
    {
        foreach (
            var option in new Option[]
            {
                _strategy,
                _space,
                _operations,
                _estimator,
                _dataset,
                _budget,
                _budgetSeconds,
                _budgetEpochs,
                _fidelities,
                _earlyStop,
                _heats,
                _workers,
                _cluster,
                _workerThreads,
                _workerTimeout,
                _seed,
                _journal,
                _device,
                _callTimeout,
                _contestantMemory,
                _plugins,
                _scripts,
                _league,
                _objective,
                _reference,
                _isolation,
                Verbose,
            }
        )
            command.Options.Add(option);
        foreach (var option in _table.All.Append(_table.Seeds).Concat(_fidelity.All).Concat(_latency.All))
            command.Options.Add(option);
    }

    /// <summary>
    /// Validates the options, loads plugins and scripts, resolves every name (unknown strategies, knobs, spaces or
    /// datasets fail before any data is loaded), then loads the data. The caller disposes the host.
    /// </summary>
    /// <param name="scriptsByLabel">For a resumed race: the script each contestant label was loaded from (its recorded path).</param>
    public PreparedRace Prepare(
        ParseResult result,
        Type hostType,
        IReadOnlyDictionary<string, string>? scriptsByLabel = null
    )
    {
        var objective = RaceObjective.Parse(result.GetValue(_objective));
        var reference = result.GetValue(_reference) is { } point ? ParetoReference.Parse(point, objective) : null;
        bool isolate = result.GetValue(_isolation) switch
        {
            InProcess => false,
            OwnProcess => true,
            var other => throw new NasException($"--isolation must be {InProcess} or {OwnProcess}, not '{other}'."),
        };
        var training = _fidelity.Settings(result);
        // Latency costs forward passes per trial: measured only when the objective reads it.
        if (objective.Metrics.Any(m => m.IsLatency))
            training = training with { Latency = _latency.Settings(result) };
        var specs = result.GetValue(_strategy) is { Length: > 0 } given ? given : DefaultStrategies;
        int? evaluations = result.GetValue(_budget);
        double? seconds = result.GetValue(_budgetSeconds);
        double? epochBudget = result.GetValue(_budgetEpochs);
        bool tabular = result.GetValue(_estimator) == TabularEstimatorName;
        var ladder = FidelityLadder.Parse(result.GetValue(_fidelities));
        if (epochBudget is not null && ladder.Count == 0 && tabular)
            throw new NasException(
                "--budget-epochs on a table needs --fidelities: a lookup trains no epochs of its own without a ladder."
            );
        if (ladder.Count > 0)
        {
            if (result.GetValue(_fidelity.Epochs) is { } epochs)
                throw new NasException(
                    $"--epochs {epochs} and --fidelities {string.Join(',', ladder)}: with a ladder, the top rung is the epochs; drop --epochs."
                );
            // Every rung is a prefix of one training run: the schedule's horizon is the top rung (TrainingSettings.ScheduleEpochs).
            training = training with { Epochs = ladder[^1], ScheduleEpochs = ladder[^1] };
            if (epochBudget is null && (evaluations is not null || seconds is null))
                epochBudget = (evaluations ?? (tabular ? DefaultTabularBudget : DefaultTrainingBudget)) * ladder[^1];
            evaluations = null;
        }
        var settings = new RaceSettings
        {
            Contestants = specs
                .Select(ContestantSpec.Parse)
                .Select(spec =>
                    scriptsByLabel?.GetValueOrDefault(spec.Label) is { } script
                        ? spec with
                        {
                            Strategy = script,
                            Label = spec.Label,
                        }
                        : spec
                )
                .ToArray(),
            Space = result.GetValue(_space)!,
            // Paths are journaled in full, so that a race resumed (or packed) from another folder reads the same files.
            Estimator = FullScriptPath(result.GetValue(_estimator)!),
            PluginFolders = (result.GetValue(_plugins) ?? []).Select(Path.GetFullPath).Distinct().ToArray(),
            ScriptFolders = (result.GetValue(_scripts) ?? []).Select(Path.GetFullPath).Distinct().ToArray(),
            Dataset = SandboxHost.FullDatasetSpec(result.GetValue(_dataset)!),
            Budget =
                evaluations is null && seconds is null && epochBudget is null
                    ? tabular
                        ? DefaultTabularBudget
                        : DefaultTrainingBudget
                    : evaluations,
            BudgetSeconds = seconds,
            BudgetEpochs = epochBudget,
            Fidelities = ladder,
            EarlyStop = result.GetValue(_earlyStop),
            Heats = result.GetValue(_heats) ?? (tabular ? DefaultTabularHeats : 1),
            Workers = result.GetValue(_workers),
            Cluster = result.GetValue(_cluster) is { } cluster ? ClusterAddress.Parse(cluster).ToString() : null,
            Seed = result.GetValue(_seed),
            // A table was measured at its own fidelity; the training options do not apply.
            Fidelity = tabular ? new Fidelity() : training.ToFidelity(),
            ValidationImages = tabular ? null : training.ValidationImages,
            // A table holds latency already; any other estimator measures it as training.Latency says.
            Latency = tabular ? null : training.Latency,
            CallTimeout = CallTimeout(result.GetValue(_callTimeout)),
            ContestantProcesses = isolate,
            ContestantMemoryGiB = result.GetValue(_contestantMemory),
            Objective = objective,
            Reference = reference,
        };
        settings.Validate();
        if (settings.Cluster is null)
            CheckWorkers(result, settings.Workers, tabular);
        else if (ladder.Count > 0 && !tabular)
            throw new NasException(
                "--cluster with --fidelities trains on other machines, where the race's checkpoints are not: not supported yet; "
                    + "race a ladder on this machine (--workers N) or on a table."
            );
        // The default name is to the millisecond, and is created new (RaceResume.OpenJournal): races started in the same
        // second, or millisecond, each get their own journal.
        string? namedJournal = result.GetValue(_journal);
        string journalPath = namedJournal
            ?? Path.Combine(
                "runs",
                $"race-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture)}.jsonl"
            );

        var host = SandboxHost.Create(
            hostType.Assembly,
            result.GetValue(_plugins),
            result.GetValue(_scripts),
            lazyScripts: true
        );
        ContestantProcesses? isolation = null;
        WorkerPool? pool = null;
        try
        {
            // Knob values are probed by creating an instance: in a contestant process when contestants run in their own,
            // so once the processes can be started (below).
            foreach (var spec in settings.Contestants)
                Admit(host, spec, settings.CallTimeout, probe: !isolate);
            var operations = CommonOptions.OperationList(result.GetValue(_operations));
            // The space first: an unknown or clashing name stops the race before any data is loaded.
            var spaceEntry = host.ResolveSpace(settings.Space);
            IEstimator estimator;
            TabularTable? raceTable = null;
            if (tabular)
            {
                bool cells = spaceEntry.Provider is Nas.Sandbox.Core.Spaces.Nb201SpaceProvider;
                var loaded = _table.Load(result, host, ladder.Count > 0, settings.Space);
                raceTable = loaded;
                var seeds = TableSeedsChoice.Resolve(result.GetValue(_table.Seeds), loaded);
                FidelityLadder.RequireCurves(ladder, loaded);
                var tableEstimator = new TabularEstimator(loaded, seeds, epochs: ladder.Count > 0);
                estimator = tableEstimator;
                if (settings.Cluster is { } tableCluster)
                    estimator = new ClusterTabular(
                        ConnectCluster(
                            tableCluster,
                            ClusterSetup.ForTable(
                                loaded,
                                _table.Mapping(result).Columns,
                                _table.Mapping(result).Percent,
                                TableSeedsChoice.Name(seeds),
                                ladder.Count > 0,
                                settings.Space
                            ),
                            TimeSpan.FromSeconds(WorkerTimeout(result))
                        ),
                        tableEstimator
                    );
                TableObjective.Require(objective, loaded);
                settings = settings with
                {
                    Table = Path.GetFullPath(loaded.Path),
                    TableColumns = _table.Mapping(result).Columns,
                    TablePercent = _table.Mapping(result).Percent,
                    TableSeeds = TableSeedsChoice.Name(seeds),
                    // The table knows the space's worst costs: the default reference point of a Pareto race.
                    KnownWorstCosts = TableObjective.WorstCosts(objective, loaded),
                    KnownWorstSource = $"worst in table {Path.GetFileName(loaded.Path)}",
                };
                // A cell race searches the table's architectures: its operations, unless the user narrows them. Another
                // space's choices are not operations: it is searched whole (a sampled table scores only its own rows).
                if (cells)
                    operations ??= loaded.Operations.ToArray();
            }
            else
            {
                if (result.GetValue(_table.Table) is not null)
                    throw new NasException("--table is for --estimator tabular.");
                if (result.GetValue(_table.Seeds) is not null)
                    throw new NasException("--table-seeds is for --estimator tabular.");
                int threads = settings.Cluster is null ? WorkerThreads(result, settings.Workers) : 0;
                if (settings.Cluster is { } trainCluster)
                {
                    // Code that is not built in goes to the workers as one verified pack, never as folders.
                    var shipment = ShippedPack.Build(host, settings.Estimator, operations, settings.Space);
                    var dispatcher = ConnectCluster(
                        trainCluster,
                        ClusterSetup.ForTraining(
                            WorkerSetup.Create(
                                [],
                                [],
                                settings.Space,
                                operations,
                                shipment?.Estimator ?? settings.Estimator,
                                settings.Dataset,
                                training,
                                result.GetValue(_device)!,
                                threads
                            ),
                            settings.Dataset,
                            shipment
                        ),
                        TimeSpan.FromSeconds(WorkerTimeout(result))
                    );
                    bool capped = result.GetResult(_workers) is { Implicit: false };
                    var clusterEstimator = new ClusterEstimator(
                        dispatcher,
                        settings.Estimator,
                        capped ? settings.Workers : null
                    );
                    estimator = clusterEstimator;
                    // The journal records the slots the race starts with and, apart, whether --workers capped them: a
                    // resumed race is capped again only by a cap the user gave (RaceArguments).
                    settings = settings with
                    {
                        Workers = Math.Min(RaceSettings.MaxWorkers, clusterEstimator.Slots),
                        WorkersCap = capped ? settings.Workers : null,
                    };
                }
                else if (settings.Workers > 1)
                {
                    var setupTraining = training;
                    string device = result.GetValue(_device)!;
                    estimator = pool = WorkerPool.Start(
                        ContestantProcessCommand.StartOfThisHost(EstimatorProcessCommand.Name),
                        worker =>
                            WorkerSetup.Create(
                                result.GetValue(_plugins) ?? [],
                                result.GetValue(_scripts) ?? [],
                                settings.Space,
                                operations,
                                settings.Estimator,
                                settings.Dataset,
                                setupTraining,
                                Devices.ForWorker(device, worker),
                                threads
                            ),
                        settings.Workers,
                        TimeSpan.FromSeconds(WorkerTimeout(result))
                    );
                    settings = settings with { TorchThreads = threads };
                }
                else
                {
                    if (result.GetValue(_workerThreads) is not null)
                        TorchSharp.torch.set_num_threads(threads);
                    estimator = host.CreateEstimator(
                        settings.Estimator,
                        settings.Dataset,
                        training,
                        result.GetValue(_device)!,
                        settings.Space
                    );
                    settings = settings with { TorchThreads = TorchSharp.torch.get_num_threads() };
                }
            }
            if (ladder.Count > 0)
                settings = settings with { WorkFolder = Path.GetFullPath(journalPath) + ".work" };
            var space = host.CreateSpace(settings.Space, operations, training.Channels, training.CellsPerStage);
            // A table of a sample scores only its rows: say so before the race, not only in each failed trial.
            if (raceTable is not null && space.Size > raceTable.Count)
                Console.Error.WriteLine(
                    $"warning: table {raceTable.Path} holds {raceTable.Count:N0} of the {space.Size:N0} architectures of space '{space.Name}'; a trial outside it fails. A table of a sample serves nas estimators report; a tabular race wants the whole space."
                );
            // A strategy that cannot search this space (DARTS, GDAS off nb201) says so now, not in the middle of the race.
            foreach (var spec in settings.Contestants)
                RequireSpace(host, spec, space);
            var league = new LeagueFile(result.GetValue(_league) ?? LeagueFile.DefaultPath());
            // Gradient-based strategies train on this; in a tabular race it is loaded only if one of them touches it.
            var trainingData = host.CreateTrainingData(
                estimator,
                settings.Dataset,
                training,
                result.GetValue(_device)!
            );
            if (isolate)
            {
                // Each contestant process gets --contestant-memory as its managed heap limit: there, the whole heap is the contestant's.
                long? heapLimit = settings.ContestantMemoryGiB is { } gib ? (long)(gib * (1L << 30)) : null;
                isolation = new ContestantProcesses(
                    ContestantProcessCommand.StartOfThisHost(heapLimit),
                    result.GetValue(_plugins) ?? [],
                    result.GetValue(_scripts) ?? [],
                    space,
                    settings,
                    settings.Dataset,
                    trainingData
                );
                foreach (var spec in settings.Contestants)
                    Admit(host, spec, settings.CallTimeout, isolation);
            }
            return new PreparedRace(
                host,
                settings,
                space,
                estimator,
                journalPath,
                league,
                CheapTrials: tabular,
                trainingData
            )
            {
                Isolation = isolation,
                JournalNamed = namedJournal is not null,
            };
        }
        catch
        {
            pool?.Dispose();
            isolation?.Dispose();
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Worker options that cannot work, refused before anything starts: more worker processes than cores (each trains
    /// on at least one), more threads than cores, threads for a table's simulated workers, a timeout that is not positive.
    /// </summary>
    private void CheckWorkers(ParseResult result, int workers, bool tabular)
    {
        int cores = Environment.ProcessorCount;
        if (tabular)
        {
            if (result.GetValue(_workerThreads) is not null)
                throw new NasException(
                    "--worker-threads is for worker processes; a table's workers (--estimator tabular) are simulated and use no threads."
                );
            return;
        }
        if (workers > cores)
            throw new NasException(
                $"--workers {workers}: more worker processes than this machine's {cores} cores (each trains on at least one); "
                    + "use at most "
                    + cores.ToString(CultureInfo.InvariantCulture)
                    + " (a table simulates up to 1024: --estimator tabular)."
            );
        WorkerThreads(result, workers);
        WorkerTimeout(result);
    }

    /// <summary>libtorch threads per worker: <c>--worker-threads</c>, or the cores shared evenly (at least one each).</summary>
    private int WorkerThreads(ParseResult result, int workers)
    {
        int cores = Environment.ProcessorCount;
        if (result.GetValue(_workerThreads) is not { } given)
            return Math.Max(1, cores / workers);
        if (given < 1)
            throw new NasException($"--worker-threads must be at least 1, not {given}.");
        if (given > cores)
            throw new NasException($"--worker-threads {given} is more than this machine's {cores} cores.");
        return given;
    }

    /// <summary>Connects to the cluster and readies its workers (what happens to them is journaled as the race goes).</summary>
    private static ClusterDispatcher ConnectCluster(
        string cluster,
        Newtonsoft.Json.Linq.JObject setup,
        TimeSpan trialTimeout
    ) => ClusterDispatcher.ConnectAsync(ClusterAddress.Parse(cluster), setup, trialTimeout).GetAwaiter().GetResult();

    private double WorkerTimeout(ParseResult result)
    {
        double seconds = result.GetValue(_workerTimeout);
        return seconds > 0 && double.IsFinite(seconds)
            ? seconds
            : throw new NasException(
                $"--worker-timeout must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}."
            );
    }

    /// <summary>
    /// Makes sure a contestant can race: compiles its script if it is one, finds the strategy, checks its knobs, and
    /// (when <paramref name="probe"/>) their values by creating an instance (<see cref="KnobProbe"/>, under
    /// <paramref name="callTimeout"/>), in a contestant process under <paramref name="isolation"/>.
    /// </summary>
    /// <summary>Refuses a contestant whose strategy says it cannot search <paramref name="space"/> (<see cref="ISpaceRequirement"/>).</summary>
    public static void RequireSpace(SandboxHost host, ContestantSpec spec, ISearchSpace space)
    {
        if (
            host.ResolveStrategy(spec.Strategy).Factory is ISpaceRequirement requirement
            && requirement.CannotSearch(space) is { } reason
        )
            throw new NasException($"--strategy '{spec.Label}' cannot race on space '{space.Name}': {reason}");
    }

    /// <param name="space">The race's space, when it is known (the console's additions): a strategy that cannot search it is refused.</param>
    public static ContestantSpec Admit(
        SandboxHost host,
        ContestantSpec spec,
        TimeSpan callTimeout,
        ContestantProcesses? isolation = null,
        bool probe = true,
        ISearchSpace? space = null
    )
    {
        if (space is not null)
            RequireSpace(host, spec, space);
        var entry = host.ResolveStrategy(spec.Strategy);
        var knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs, spec.Knobs);
        if (!probe || spec.Knobs.Count == 0)
            return spec;
        // In a contestant process the first create also starts the process; the process enforces the call timeout itself.
        if (isolation is not null)
            KnobProbe.Check(isolation.For(entry), knobs, spec.Label, callTimeout + isolation.StartTimeout);
        else
            KnobProbe.Check(entry.Factory, knobs, spec.Label, callTimeout);
        return spec;
    }
}

/// <summary>A race ready to run: the host (plugins, scripts), settings, space, estimator, where to journal, and the league it counts in.</summary>
/// <para><see cref="CheapTrials"/>: a trial is a lookup (tabular), so the journal batches trial lines instead of syncing
/// each, and progress is printed per heat instead of per trial.</para>
internal sealed record PreparedRace(
    SandboxHost Host,
    RaceSettings Settings,
    ISearchSpace Space,
    IEstimator Estimator,
    string JournalPath,
    LeagueFile League,
    bool CheapTrials,
    RaceTrainingData TrainingData
) : IDisposable
{
    /// <summary>The contestant processes (<c>--isolation process</c>); null when contestants run in this process.</summary>
    public ContestantProcesses? Isolation { get; init; }

    /// <summary>The user named the journal (<c>--journal</c>); otherwise <see cref="JournalPath"/> is a default name.</summary>
    public bool JournalNamed { get; init; }

    public void Dispose()
    {
        (Estimator as IDisposable)?.Dispose(); // worker processes
        Isolation?.Dispose();
        TrainingData.Dispose();
        Host.Dispose();
    }
}
