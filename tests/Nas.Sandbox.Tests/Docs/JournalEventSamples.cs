using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// One event of every type the referee raises, each with every optional part filled in (a Pareto race with a table,
/// both budgets, a reference point, a crashed contestant process, a trial with every metric and a message), so that
/// formatting them writes every field a journal line can have.
/// </summary>
internal static class JournalEventSamples
{
    private const string Key = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|";

    public static IReadOnlyList<RaceEvent> All()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,latency1");
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("regularized-evolution:population=8")],
            Space = "nb201",
            Estimator = "tabular",
            Dataset = "fashion-mnist",
            Table = "/tables/t.csv",
            TableColumns = "arch=arch_str",
            TablePercent = true,
            TableSeeds = "sample",
            Budget = 3,
            BudgetSeconds = 60,
            Heats = 1,
            Seed = 7,
            Workers = 4,
            Fidelity = new Fidelity
            {
                Epochs = 1,
                TrainingImages = 500,
                Channels = 8,
                CellsPerStage = 1,
                BatchSize = 64,
            },
            ValidationImages = 200,
            CallTimeout = TimeSpan.FromSeconds(30),
            ContestantProcesses = true,
            TorchThreads = 2,
            ContestantMemoryGiB = 1.5,
            Objective = objective,
            Reference = new Dictionary<string, double> { ["accuracy"] = 0.1 },
            PluginFolders = ["/home/user/plugins"],
            ScriptFolders = ["/home/user/scripts"],
            Latency = new Nas.Sandbox.Core.Evaluation.Model.LatencySettings { Warmup = 3, Repeats = 10 },
        };
        var contestant = new ContestantInfo(
            "regularized-evolution:population=8",
            "regularized-evolution",
            "built-in pack",
            "/plugins/C/C.dll",
            "1.0.0",
            new Dictionary<string, string> { ["population"] = "8" },
            "ebb5317e"
        );
        var trial = new Trial
        {
            Index = 0,
            Architecture = new Architecture(
                Key,
                ["nor_conv_3x3", "none", "skip_connect", "none", "none", "avg_pool_3x3"]
            ),
            Status = TrialStatus.Ok,
            Metrics = new Metrics
            {
                ValidationAccuracy = 0.7,
                ValidationLoss = 0.8,
                TrainingLoss = 0.9,
                Parameters = 30802,
                Flops = 2825866,
                LatencyMs = 0.67,
                LatencyMsBatch64 = 5.6,
                Score = 12.5,
            },
            CostSeconds = 1.25,
            Fidelity = settings.Fidelity,
            FromCache = false,
            Message = "a note",
            Objective = 0.7,
            Objectives = [0.7, -0.67],
        };
        var standing = new HeatStanding(
            contestant.Label,
            3,
            1,
            4.5,
            0.7,
            Key,
            0.7,
            [new ParetoPoint(0, Key, [0.7, -0.67])],
            0.5,
            2.5,
            1.8
        );
        var summary = RaceSummary.From(
            settings,
            [contestant],
            [
                [standing],
            ],
            1.0,
            _ => 0.69,
            ParetoReference.For(objective, null, _ => 2.0, "worst seen in the race")
        );
        return
        [
            new RaceStarted(
                settings,
                [contestant],
                "tabular",
                "epochs=1, images=500, channels=8, cells=1, batch=64",
                ["none", "skip_connect"]
            ),
            new HeatStarted(0, 42),
            new TrialStarted(contestant.Label, 0, 0, trial.Architecture, 0.5),
            new TrialFinished(contestant.Label, 0, trial, 0.7, 0.5, 1.75),
            new SearchCharged(contestant.Label, 0, 1, "ask", 0.25),
            new ContestantFailed(contestant.Label, 0, 1, "ask", "its process died during ask", Crashed: true),
            new ContestantSwapped(contestant.Label, 0, "1.0.0 (ebb5317e)", "1.0.0 (0badf00d)", 2, 12.5, "new build"),
            new SwapFailed(contestant.Label, 0, "/scripts/x.csx", "x.csx(3,1): error CS1002: ; expected"),
            new HeatFinished(0, [standing]),
            new RaceFinished(summary),
            new ContestantAdded(contestant with { Label = "random-search" }, 0),
            new ContestantRemoved("random-search", 0),
            new HeatRestarted(0, 42),
            new RaceResumed(0, 2),
            new CommandRejected("add nonesuch", "Unknown strategy 'nonesuch'."),
            new EstimatorNotice("worker w2 lost after 4.2 s: its trial goes to another slot", Warning: true),
        ];
    }
}
