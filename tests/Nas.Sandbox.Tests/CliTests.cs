using System.Diagnostics;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>The `nas` executable as a user runs it: a child process, its exit code, stdout and stderr.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static (int Exit, string Out, string Err) Nas(params string[] args) => NasProcess.Run(args);

    private string[] TinyRace(params string[] extra) =>
        [
            "race",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--budget",
            "2",
            .. TestData.TinyFidelity,
            "--journal",
            Path.Combine(_folder, "race.jsonl"),
            .. extra,
        ];

    [Fact]
    public void Race_json_prints_only_the_summary_on_stdout_and_progress_on_stderr()
    {
        string league = Path.Combine(_folder, "league.json");
        var (exit, stdout, stderr) = Nas(TinyRace("--json", "--seed", "3", "--league", league));
        exit.Should().Be(0, stderr);
        var summary = JObject.Parse(stdout);
        ((long)summary["seed"]!).Should().Be(3);
        var contestants = (JArray)summary["contestants"]!;
        contestants
            .Select(c => (string)c["strategy"]!)
            .Should()
            .BeEquivalentTo("random-search", "regularized-evolution");
        foreach (var c in contestants)
        {
            ((string)c["source"]!).Should().Be("built-in pack");
            ((string)c["version"]!).Should().Be("1.0.0");
            ((int)c["evaluations"]!).Should().Be(2);
            ((int)c["failures"]!).Should().Be(0);
            ((double)c["bestValidationAccuracy"]!).Should().BeInRange(0, 1);
            c["bestValidationAccuracyStd"]!.Type.Should().Be(JTokenType.Float);
            ((double)c["seconds"]!).Should().BePositive();
        }
        stderr.Should().Contain("random-search").And.Contain(" acc ").And.Contain(" best ").And.Contain("winner:");
        stderr.Should().NotContain("NNPACK");
        JournalReader.Read(Path.Combine(_folder, "race.jsonl")).Lines.Count(l => l.Type == "trial").Should().Be(4);
        // The heat counts in the league: both strategies rated, the winner above the loser (or level on a tie).
        var players = new Nas.Sandbox.Core.Racing.LeagueFile(league).Load().Players;
        players.Select(p => p.Key).Should().BeEquivalentTo("random-search", "regularized-evolution");
        players.Should().OnlyContain(p => p.Heats == 1 && p.Wins + p.Draws + p.Losses == 1);
    }

    [Fact]
    public void Darts_races_random_search_under_a_seconds_budget_and_pays_for_its_supernet_training()
    {
        var (exit, stdout, stderr) = Nas([
            "race",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--strategy",
            "darts:steps-per-ask=2",
            "--strategy",
            "random-search",
            "--budget-seconds",
            "3",
            .. TestData.TinyFidelity,
            "--journal",
            Path.Combine(_folder, "race.jsonl"),
            "--json",
        ]);
        exit.Should().Be(0, stderr);
        var contestants = ((JArray)JObject.Parse(stdout)["contestants"]!).ToDictionary(c => (string)c["strategy"]!);
        var darts = contestants["darts"];
        ((int)darts["failures"]!).Should().Be(0, stderr);
        ((double)darts["searchSeconds"]!).Should().BePositive();
        ((double)darts["seconds"]!)
            .Should()
            .BeGreaterThanOrEqualTo(3, "the budget stops it once its evaluations and training pass 3 s");
        ((double)contestants["random-search"]["searchSeconds"]!).Should().Be(0);
        var lines = JournalReader.Read(Path.Combine(_folder, "race.jsonl")).Lines;
        var charges = lines.Where(l => l.Type == "search-time").ToArray();
        charges.Should().NotBeEmpty().And.OnlyContain(l => (string)l.Event["contestant"]! == "darts:steps-per-ask=2");
        charges.Sum(l => (double)l.Event["seconds"]!).Should().BeApproximately((double)darts["searchSeconds"]!, 0.01);
        stderr.Should().Contain("s search").And.Contain("of it search");
    }

    [Fact]
    public void A_darts_ask_abandoned_at_the_call_timeout_does_not_crash_nas_as_it_exits()
    {
        // Issue 23: the abandoned Ask was still training inside libtorch when nas exited; libtorch's static destructors
        // then crashed it (exit code 139) after a complete leaderboard and journal.
        var (exit, stdout, stderr) = Nas([
            "race",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--strategy",
            "darts:steps-per-ask=100000",
            "--budget",
            "1",
            .. TestData.TinyFidelity,
            "--call-timeout",
            "1",
            "--journal",
            Path.Combine(_folder, "race.jsonl"),
        ]);
        stderr.Should().Contain("FAILED in ask: did not return within 1 s");
        stdout.Should().Contain("rank");
        exit.Should().Be(0, stderr);
    }

    [Fact]
    public void Tabulate_writes_a_table_a_tabular_race_reads_and_resumes_after_an_interruption()
    {
        string table = Path.Combine(_folder, "table.csv");
        string[] tabulate =
        [
            "tabulate",
            "--output",
            table,
            "--operations",
            "none,nor_conv_3x3",
            "--sample",
            "3",
            "--seeds",
            "2",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--train-images",
            "100",
            "--validation-images",
            "50",
            "--test-images",
            "50",
            "--batch-size",
            "50",
        ];
        var (exit, _, stderr) = Nas(tabulate);
        exit.Should().Be(0, stderr);
        var lines = File.ReadAllLines(table);
        lines.Should().HaveCount(4);
        lines[0]
            .Should()
            .Be(
                "arch,validation_accuracy,test_accuracy,train_seconds,params,flops,status,"
                    + "validation_accuracy_seed0,test_accuracy_seed0,train_seconds_seed0,validation_accuracy_seed1,test_accuracy_seed1,train_seconds_seed1"
            );

        // A kill in the middle of writing the last row: the torn row is measured again, the others are kept.
        File.WriteAllText(table, string.Join("\n", lines.Take(3)) + "\n" + lines[3][..20]);
        (exit, _, stderr) = Nas(tabulate);
        exit.Should().Be(0, stderr);
        stderr.Should().Contain("2 already in").And.Contain("1 to go");
        // The same seeds measure the same values; only the measured seconds differ.
        static string[] Measured(IEnumerable<string> rows) =>
            rows.Select(r => string.Join(",", r.Split(',').Where((_, i) => i is not (3 or 9 or 12)))).ToArray();
        Measured(File.ReadAllLines(table)).Should().Equal(Measured(lines));

        // Random search without repeats covers all 64 cells of the two-operation space, so it meets the 3 tabulated ones.
        (exit, var stdout, stderr) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--strategy",
            "random-search",
            "--budget",
            "64",
            "--heats",
            "2",
            "--json",
            "--journal",
            Path.Combine(_folder, "tabular.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json")
        );
        exit.Should().Be(0, stderr);
        var summary = JObject.Parse(stdout);
        ((JArray)summary["contestants"]!).Should().OnlyContain(c => c["testAccuracyOfBest"]!.Type == JTokenType.Float);
        ((int)summary["settings"]!["heats"]!).Should().Be(2);

        // The estimators report ranks the same architectures with each estimator against the table's test accuracy.
        string report = Path.Combine(_folder, "estimators.csv");
        (exit, stdout, stderr) = Nas(
            "estimators",
            "report",
            "--table",
            table,
            "--sample",
            "3",
            "--estimators",
            "grad-norm,naswot",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--batch-size",
            "50",
            "--output",
            report
        );
        exit.Should().Be(0, stderr);
        stdout.Should().Contain("Kendall τ").And.Contain("grad-norm").And.Contain("naswot");
        File.ReadAllLines(report)
            .Should()
            .HaveCount(3)
            .And.Subject.First()
            .Should()
            .Be("estimator,evaluated,failed,kendall_tau,spearman_rho,seconds_per_evaluation");
    }

    [Fact]
    public void Tabulate_samples_another_space_resumes_the_same_list_and_its_table_is_raced_and_reported_on()
    {
        string table = Path.Combine(_folder, "nats.csv");
        string[] tabulate =
        [
            "tabulate",
            "--space",
            "nats-size",
            "--output",
            table,
            "--sample",
            "3",
            "--seed",
            "5",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--train-images",
            "50",
            "--validation-images",
            "50",
            "--test-images",
            "50",
            "--batch-size",
            "50",
            "--cells",
            "1",
        ];
        var (exit, _, stderr) = Nas(tabulate);
        exit.Should().Be(0, stderr);
        stderr.Should().Contain("3 architectures of nats-size");
        var lines = File.ReadAllLines(table);
        lines.Should().HaveCount(4);
        var keys = lines.Skip(1).Select(l => l.Split(',')[0]).ToArray();
        keys.Should().OnlyHaveUniqueItems().And.OnlyContain(k => k.Split(':').Length == 5);
        // The rows' network is the space's: NATS sizes differ in parameters.
        lines.Skip(1).Select(l => l.Split(',')[4]).Should().OnlyHaveUniqueItems();

        // Resumed after a kill mid-row: the same draw, so only the torn row is measured again, and nothing twice.
        File.WriteAllText(table, string.Join("\n", lines.Take(3)) + "\n" + lines[3][..5]);
        (exit, _, stderr) = Nas(tabulate);
        exit.Should().Be(0, stderr);
        stderr.Should().Contain("2 already in").And.Contain("1 to go");
        File.ReadAllLines(table).Skip(1).Select(l => l.Split(',')[0]).Should().Equal(keys);

        // Without --space the table is read as NB201 cells: one error naming the line and the key.
        (exit, _, stderr) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--journal",
            Path.Combine(_folder, "wrong.jsonl")
        );
        exit.Should().NotBe(0);
        stderr
            .Should()
            .Contain($"{table}:2, column 'arch': Malformed architecture '{keys[0]}'")
            .And.Contain("is this a table of another --space?");

        // A race on the table: what strategies propose outside the sample fails with a message naming the table.
        (exit, var stdout, stderr) = Nas(
            "race",
            "--space",
            "nats-size",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--strategy",
            "random-search",
            "--budget",
            "5",
            "--heats",
            "1",
            "--json",
            "--journal",
            Path.Combine(_folder, "nats.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json")
        );
        exit.Should().Be(0, stderr);
        stderr.Should().Contain($"warning: table {table} holds 3 of the 32,768 architectures of space 'nats-size'");
        ((string)JObject.Parse(stdout)["settings"]!["space"]!).Should().Be("nats-size");
        File.ReadAllText(Path.Combine(_folder, "nats.jsonl")).Should().Contain("architectures of space nats-size");

        (exit, stdout, stderr) = Nas(
            "estimators",
            "report",
            "--space",
            "nats-size",
            "--table",
            table,
            "--sample",
            "3",
            "--estimators",
            "synflow,naswot",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--batch-size",
            "50",
            "--cells",
            "1",
            "--output",
            Path.Combine(_folder, "estimators.csv")
        );
        exit.Should().Be(0, stderr);
        stderr.Should().Contain("3 of 3 architectures (nats-size)");
        stdout.Should().Contain("synflow").And.Contain("naswot");
        File.ReadAllLines(Path.Combine(_folder, "estimators.csv")).Should().HaveCount(3);

        // No table ships for nats-size: the error says how to make one.
        (exit, _, stderr) = Nas(
            "race",
            "--space",
            "nats-size",
            "--estimator",
            "tabular",
            "--journal",
            Path.Combine(_folder, "none.jsonl")
        );
        exit.Should().NotBe(0);
        stderr.Should().Contain("No table ships for space 'nats-size'").And.Contain("nas tabulate --space nats-size");
    }

    [Fact]
    public void Tui_takes_every_option_of_race()
    {
        var commands = global::Nas.Sandbox.Cli.NasCommandLine.Build().Subcommands;
        var race = commands.Single(c => c.Name == "race").Options.Select(o => o.Name);
        var tui = commands.Single(c => c.Name == "tui").Options.Select(o => o.Name);
        tui.Should().Contain(race);
        tui.Should().Contain("--resume");
    }

    [Fact]
    public void Tui_without_a_terminal_says_so_and_exits_2_instead_of_running_invisibly()
    {
        var (exit, stdout, stderr) = NasProcess.Run(
            new Dictionary<string, string?> { ["DisableRealDriverIO"] = "1" },
            "tui",
            "--budget",
            "1"
        );
        exit.Should().Be(2);
        stderr.Should().Contain("nas tui needs a terminal; use nas race");
        stdout.Should().BeEmpty();
    }

    [Fact]
    public void An_unknown_strategy_is_one_clear_error_without_a_stack_trace()
    {
        var (exit, stdout, stderr) = Nas(TinyRace("--strategy", "evolution"));
        exit.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr
            .Trim()
            .Should()
            .Be(
                "error: Unknown strategy 'evolution'. Available: asha, bananas, bohb, crossover-evolution, darts, dehb, edge-bandit, "
                    + "gdas, greedy-local-search, hyperband, local-search, nsga-ii, predictor-local-search, random-search, "
                    + "regularized-evolution, "
                    + "reinforce, successive-halving."
            );
    }

    [Fact]
    public void An_unknown_knob_lists_the_known_ones()
    {
        var (exit, _, stderr) = Nas(TinyRace("--strategy", "regularized-evolution:populaton=5"));
        exit.Should().Be(1);
        stderr
            .Trim()
            .Should()
            .Be(
                "error: 'regularized-evolution' has no knob 'populaton' (known knobs: population, sample, mutations, distinct)."
            );
    }

    [Fact]
    public void A_bad_option_value_is_refused()
    {
        var (exit, _, stderr) = Nas(TinyRace("--heats", "0"));
        exit.Should().Be(1);
        stderr.Trim().Should().Be("error: --heats must be at least 1, not 0.");
        Nas("race", "--budget", "many").Exit.Should().NotBe(0);
    }

    [Theory]
    [InlineData("0", "error: --workers must be at least 1, not 0.")]
    [InlineData("-1", "error: --workers must be at least 1, not -1.")]
    [InlineData("5000", "error: --workers 5000: at most 1024 per contestant.")]
    [InlineData("abc", "abc")]
    public void A_bad_workers_value_is_one_clear_error_and_nothing_starts(string workers, string error)
    {
        string journal = Path.Combine(_folder, "workers.jsonl");
        var (exit, _, stderr) = Nas("race", "--estimator", "tabular", "--workers", workers, "--journal", journal);
        exit.Should().NotBe(0);
        stderr.Should().Contain(error).And.Contain("--workers");
        File.Exists(journal).Should().BeFalse("nothing started");
    }

    public static TheoryData<string[], string> BadWorkerProcessOptions =>
        new()
        {
            {
                ["--workers", $"{Environment.ProcessorCount + 1}"],
                $"error: --workers {Environment.ProcessorCount + 1}: more worker processes than this machine's {Environment.ProcessorCount} cores"
            },
            { ["--worker-threads", "0"], "error: --worker-threads must be at least 1, not 0." },
            {
                ["--worker-threads", $"{Environment.ProcessorCount + 1}"],
                $"error: --worker-threads {Environment.ProcessorCount + 1} is more than this machine's {Environment.ProcessorCount} cores."
            },
            { ["--worker-timeout", "0"], "error: --worker-timeout must be a positive number of seconds, not 0." },
        };

    [Theory]
    [MemberData(nameof(BadWorkerProcessOptions))]
    public void A_bad_worker_process_option_is_one_clear_error_and_nothing_starts(string[] options, string error)
    {
        var (exit, _, stderr) = Nas(TinyRace(options));
        exit.Should().Be(1);
        stderr.Trim().Should().StartWith(error);
        File.Exists(Path.Combine(_folder, "race.jsonl")).Should().BeFalse("nothing started");
    }

    public static TheoryData<string[], string> NumbersNoRaceHolds =>
        new()
        {
            // NaN passes a "<= 0" check, and a journal holds neither NaN nor infinity as a number: a resumed race would
            // have silently run without the budget.
            { ["--budget-seconds", "NaN"], "error: --budget-seconds must be positive, not NaN." },
            { ["--budget-seconds", "Infinity"], "error: --budget-seconds must be positive, not Infinity." },
            { ["--fidelities", "1,2", "--budget-epochs", "NaN"], "error: --budget-epochs must be positive, not NaN." },
            { ["--contestant-memory", "Infinity"], "error: --contestant-memory must be positive, not Infinity." },
            {
                ["--call-timeout", "NaN"],
                "error: --call-timeout must be a positive number of seconds, at most 604800 (a week), not NaN."
            },
            {
                ["--call-timeout", "1e300"],
                "error: --call-timeout must be a positive number of seconds, at most 604800 (a week), not 1E+300."
            },
            {
                ["--call-timeout", "0"],
                "error: --call-timeout must be a positive number of seconds, at most 604800 (a week), not 0."
            },
        };

    [Theory]
    [MemberData(nameof(NumbersNoRaceHolds))]
    public void A_number_no_race_can_hold_is_one_clear_error_and_nothing_starts(string[] options, string error)
    {
        var (exit, _, stderr) = Nas(TinyRace(options));
        exit.Should().Be(1);
        stderr.Trim().Should().Be(error);
        File.Exists(Path.Combine(_folder, "race.jsonl")).Should().BeFalse("nothing started");
    }

    public static TheoryData<string[], string> BadLadders =>
        new()
        {
            { ["--fidelities", "3,1"], "error: --fidelities 3,1: the ladder must be increasing, but 1 follows 3." },
            { ["--fidelities", "0,2"], "error: --fidelities 0,2: '0' is not a whole number of epochs of at least 1." },
            { ["--fidelities", "1,2", "--epochs", "2"], "error: --epochs 2 and --fidelities 1,2: with a ladder" },
            {
                ["--early-stop", "median"],
                "error: --early-stop median stops trials between rungs: it needs a fidelity ladder"
            },
            {
                ["--budget-epochs", "30", "--estimator", "tabular"],
                "error: --budget-epochs on a table needs --fidelities"
            },
            {
                ["--fidelities", "1,3", "--early-stop", "soon"],
                "error: --early-stop must be median or curve, not 'soon'."
            },
            {
                [
                    "--fidelities",
                    "1,3",
                    "--estimator",
                    "tabular",
                    "--table",
                    Path.Combine(ScriptTestKit.RepoRoot, "src", "Nas.Sandbox.Core", "Tables", "nb201-fmnist-3op.csv"),
                ],
                "error: --fidelities: table " // the shipped default table has no curves
            },
            {
                // With a ladder and no --table, a race uses the shipped table with curves, which holds 9 epochs.
                ["--fidelities", "1,27", "--estimator", "tabular"],
                "error: --fidelities 1,27: table "
            },
            {
                [
                    "--fidelities",
                    "1,9",
                    "--estimator",
                    "tabular",
                    "--table",
                    Path.Combine(ScriptTestKit.RepoRoot, "tests", "data", "nb201-2op-curves-3ep.csv"),
                ],
                "error: --fidelities 1,9: table " // holds 3 epochs
            },
        };

    [Theory]
    [MemberData(nameof(BadLadders))]
    public void A_bad_fidelity_ladder_or_early_stop_is_one_clear_error_and_nothing_starts(
        string[] options,
        string error
    )
    {
        var (exit, _, stderr) = Nas(TinyRace(options));
        exit.Should().Be(1);
        stderr.Trim().Should().StartWith(error);
        File.Exists(Path.Combine(_folder, "race.jsonl")).Should().BeFalse("nothing started");
    }

    [Fact]
    public void Worker_threads_on_a_table_are_refused_since_its_workers_are_simulated()
    {
        string journal = Path.Combine(_folder, "threads.jsonl");
        var (exit, _, stderr) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--workers",
            "4",
            "--worker-threads",
            "1",
            "--journal",
            journal
        );
        exit.Should().Be(1);
        stderr.Trim().Should().StartWith("error: --worker-threads is for worker processes");
        File.Exists(journal).Should().BeFalse("nothing started");
    }

    [Fact]
    public void A_missing_dataset_names_the_package_and_the_path()
    {
        var args = TinyRace();
        args[Array.IndexOf(args, "--dataset") + 1] = "fashion-mnist:" + _folder;
        var (exit, _, stderr) = Nas(args);
        exit.Should().Be(1);
        stderr
            .Should()
            .Contain(Path.Combine(_folder, "train-images-idx3-ubyte.gz"))
            .And.Contain("dataset-fashion-mnist")
            .And.NotContain("   at ");
    }

    [Fact]
    public void List_json_shows_every_strategy_with_its_source_and_version()
    {
        var (exit, stdout, stderr) = Nas("list", "--json");
        exit.Should().Be(0, stderr);
        var document = JObject.Parse(stdout);
        var strategies = (JArray)document["strategies"]!;
        strategies
            .Select(s => (string)s["name"]!)
            .Should()
            .Contain(["random-search", "regularized-evolution", "greedy-local-search"]);
        string[] builtIn =
        [
            "random-search",
            "regularized-evolution",
            "reinforce",
            "local-search",
            "predictor-local-search",
            "bananas",
            "darts",
            "gdas",
            "nsga-ii",
        ];
        strategies
            .Where(s => builtIn.Contains((string)s["name"]!))
            .Should()
            .HaveCount(builtIn.Length)
            .And.OnlyContain(s => (string)s["source"]! == "built-in pack");
        // A strategy carries its pack's version: the field pack went to 1.1.0 when REINFORCE's update changed.
        strategies
            .Where(s => builtIn.Contains((string)s["name"]!))
            .ToDictionary(s => (string)s["name"]!, s => (string)s["version"]!)
            .Should()
            .Contain("reinforce", "1.1.0")
            .And.Contain("local-search", "1.1.0")
            .And.Contain("bananas", "1.1.0")
            .And.Contain("random-search", "1.0.0")
            .And.Contain("nsga-ii", "1.0.0");
        strategies.Single(s => (string)s["name"]! == "edge-bandit")["source"]!.Value<string>().Should().Be("script");
        ((JArray)document["estimators"]!).Select(e => (string)e["name"]!).Should().Contain(["train", "param-proxy"]);
        ((JArray)document["operations"]!)
            .Select(o => (string)o["name"]!)
            .Should()
            .BeEquivalentTo(
                "none",
                "skip_connect",
                "nor_conv_1x1",
                "nor_conv_3x3",
                "avg_pool_3x3",
                "sep_conv_3x3",
                "sep_conv_5x5",
                "dil_conv_3x3",
                "dil_conv_5x5",
                "se_block",
                "mbconv_k3_e3",
                "mbconv_k3_e6",
                "mbconv_k5_e3",
                "mbconv_k5_e6",
                "mbconv_k7_e3",
                "mbconv_k7_e6",
                "nor_dil_conv_3x3"
            );
        var sources = ((JArray)document["operations"]!).ToDictionary(
            o => (string)o["name"]!,
            o => (string)o["source"]!
        );
        sources["sep_conv_5x5"].Should().Be("built-in");
        sources["se_block"].Should().Be("built-in");
        sources["nor_dil_conv_3x3"].Should().StartWith("script");
        var spaces = ((JArray)document["spaces"]!).ToDictionary(s => (string)s["name"]!);
        spaces.Keys.Should().BeEquivalentTo("nb201", "nats-size", "macro");
        spaces["nb201"]["size"]!.Value<long>().Should().Be(15625);
        spaces["nats-size"]["size"]!.Value<long>().Should().Be(32768);
        spaces["macro"]["size"]!.Value<long>().Should().Be(13_841_287_201L);
        ((string)spaces["macro"]["description"]!).Should().Contain("MobileNetV2").And.Contain("Sandler");
        spaces.Values.Should().OnlyContain(s => (string)s["source"]! == "built-in");
    }
}
