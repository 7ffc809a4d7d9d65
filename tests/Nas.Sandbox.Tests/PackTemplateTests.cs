using System.Diagnostics;
using System.Xml.Linq;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json.Linq;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Scaffolds one pack project of each kind with <c>nas pack new</c> (a temporary NAS_HOME and template hive, so the
/// user's <c>dotnet new</c> is untouched), publishes each with <c>dotnet publish -c Release -o plugins/NAME</c> as
/// <c>nas pack build</c> does, once for the whole class: building three projects takes tens of seconds.
/// </summary>
public sealed class PackTemplateFixture : IDisposable
{
    public static readonly (string Kind, string Project, string Published)[] Packs =
    [
        ("strategy", "TestClimber", "test-climber"),
        ("estimator", "TestSizeProxy", "test-size-proxy"),
        ("operation", "TestSepConv", "test_sep_conv"),
    ];

    public string Root { get; } = Directory.CreateTempSubdirectory("nas-pack-templates-").FullName;
    public string Plugins => Path.Combine(Root, "plugins");
    public Dictionary<string, string?> Environment { get; }
    public Dictionary<string, (int Exit, string Out, string Err)> Scaffolded { get; } = [];
    public Dictionary<string, (int Exit, string Output)> Published { get; } = [];

    public PackTemplateFixture()
    {
        Environment = new()
        {
            [NasHome.Variable] = Path.Combine(Root, "home"),
            [DotnetTemplates.HiveVariable] = Path.Combine(Root, "hive"),
        };
        foreach (var (kind, project, _) in Packs)
        {
            Scaffolded[project] = NasProcess.Run(
                Environment,
                "pack",
                "new",
                kind,
                project,
                "--output",
                ProjectDir(project)
            );
            if (Scaffolded[project].Exit == 0)
                Published[project] = Dotnet(
                    "publish",
                    ProjectDir(project),
                    "-c",
                    "Release",
                    "-o",
                    Path.Combine(Plugins, project),
                    "-nologo"
                );
        }
    }

    public string ProjectDir(string project) => Path.Combine(Root, "src", project);

    /// <summary>The SDK as a user runs it: without the MSBuild settings the test host inherited from `dotnet test`.</summary>
    private static (int Exit, string Output) Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        foreach (
            string name in start
                .Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
                .ToArray()
        )
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(true);
            throw new TimeoutException("dotnet publish did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[Collection(TorchGeneratorLane.Name)]
public sealed class PackTemplateTests(PackTemplateFixture packs) : IClassFixture<PackTemplateFixture>
{
    private SandboxHost Host() =>
        SandboxHost.Create(typeof(PackTemplateTests).Assembly, [packs.Plugins], lazyScripts: true);

    private static string Uniform(string op) => $"|{op}~0|+|{op}~0|{op}~1|+|{op}~0|{op}~1|{op}~2|";

    [Fact]
    public void Each_kind_is_scaffolded_as_a_pack_project_whose_publish_folder_holds_only_the_pack()
    {
        foreach (var (kind, project, published) in PackTemplateFixture.Packs)
        {
            var (exit, stdout, stderr) = packs.Scaffolded[project];
            exit.Should().Be(0, stderr);
            stdout
                .Should()
                .Contain($"Created {kind} pack project {project}")
                .And.Contain($"{kind} '{published}'")
                .And.Contain("nas pack build")
                .And.Contain($"nas pack install packs/{project}.1.0.0.nupkg");
            packs.Published[project].Exit.Should().Be(0, packs.Published[project].Output);

            // The pack metadata nas pack build reads, as standard NuGet properties.
            var properties = XDocument
                .Load(Path.Combine(packs.ProjectDir(project), project + ".csproj"))
                .Descendants()
                .Where(e => !e.HasElements)
                .GroupBy(e => e.Name.LocalName)
                .ToDictionary(g => g.Key, g => g.First().Value);
            properties["PackageId"].Should().Be(project);
            properties["AssemblyName"].Should().Be(project);
            properties["Version"].Should().Be("1.0.0");
            properties["PackageLicenseExpression"].Should().Be("MIT");
            properties["Description"].Should().NotBeNullOrWhiteSpace();
            properties["Authors"].Should().Be(System.Environment.UserName);
            properties["EnableDynamicLoading"].Should().Be("true");

            // The contracts and TorchSharp are the host's: nothing of them is shipped.
            Directory
                .GetFiles(Path.Combine(packs.Plugins, project))
                .Select(Path.GetFileName)
                .Should()
                .BeEquivalentTo(
                    $"{project}.dll",
                    $"{project}.deps.json",
                    $"{project}.pdb",
                    $"{project}.runtimeconfig.json"
                );
        }
    }

    [Fact]
    public void The_published_packs_load_from_a_plugin_folder_and_nas_list_shows_them()
    {
        using var host = Host();
        host.Plugins.Errors.Should().BeEmpty();
        host.Strategies.Get("test-climber").Source.Kind.Should().Be(StrategySource.PluginFolder);
        host.Strategies.Get("test-climber").Factory.Knobs.Select(k => k.Name).Should().Equal("starts", "mutations");
        host.Plugins.Estimators.Single().Name.Should().Be("test-size-proxy");
        host.Operations.SourceOf("test_sep_conv")
            .Should()
            .Be($"plugin {Path.Combine(packs.Plugins, "TestSepConv", "TestSepConv.dll")}");

        var (exit, stdout, stderr) = NasProcess.Run(packs.Environment, "list", "--plugins", packs.Plugins, "--json");
        exit.Should().Be(0, stderr);
        var document = JObject.Parse(stdout);
        var estimator = document["estimators"]!.Single(e => (string)e["name"]! == "test-size-proxy");
        ((string)estimator["source"]!, (string)estimator["version"]!).Should().Be(("plugin folder", "1.0.0"));
        document["operations"]!.Select(o => (string)o["name"]!).Should().Contain("test_sep_conv");
        document["strategies"]!.Single(s => (string)s["name"]! == "test-climber")["version"]!
            .Value<string>()
            .Should()
            .Be("1.0.0");
    }

    [Fact]
    public async Task The_strategy_races_a_tabular_race_by_the_rules_deterministically()
    {
        using var host = Host();
        string folder = Path.Combine(packs.Root, "tabular");
        Directory.CreateDirectory(folder);
        var table = TabularTable.Load(
            TabularRaceTests.WriteTable(folder),
            new TableColumns(),
            ["none", "skip_connect", "nor_conv_3x3"]
        );
        var space = new Nb201Space(table.Operations);
        async Task<(RaceSummary, ListJournal)> Race()
        {
            var journal = new ListJournal();
            var summary = await new Referee(space, new TabularEstimator(table), host.Strategies, journal).RunAsync(
                new RaceSettings
                {
                    Contestants =
                    [
                        ContestantSpec.Parse("test-climber:starts=3,mutations=2"),
                        ContestantSpec.Parse("random-search"),
                    ],
                    Budget = 25,
                    Heats = 3,
                    Seed = 4,
                    Estimator = "tabular",
                }
            );
            return (summary, journal);
        }
        var (summary, journal) = await Race();
        journal.Events.OfType<ContestantFailed>().Should().BeEmpty();
        var climber = journal
            .Events.OfType<TrialFinished>()
            .Where(t => t.Contestant.StartsWith("test-climber", StringComparison.Ordinal))
            .ToArray();
        climber
            .Should()
            .HaveCount(75)
            .And.OnlyContain(t => space.Contains(t.Trial.Architecture) && t.Trial.Status == TrialStatus.Ok);
        // It climbs: after the random starts, every ask is the best so far with at most two choices changed.
        summary.Contestants.Should().HaveCount(2).And.OnlyContain(c => c.Evaluations == 75);
        var (_, again) = await Race();
        again
            .Events.OfType<TrialFinished>()
            .Select(t => t.Trial.Architecture.Key)
            .Should()
            .Equal(journal.Events.OfType<TrialFinished>().Select(t => t.Trial.Architecture.Key));

        // It climbs: after its 3 random starts, nearly every ask is the best trial so far with at most 2 choices changed
        // (a random architecture is that close about 1 time in 10 in this 729-cell space); it jumps only when stuck.
        int asks = 0,
            near = 0;
        foreach (var heat in climber.GroupBy(t => t.Heat))
        {
            var trials = heat.OrderBy(t => t.Trial.Index).Select(t => t.Trial).ToArray();
            for (int i = 3; i < trials.Length; i++, asks++)
            {
                var best = trials[..i].MaxBy(t => t.Objective)!.Architecture;
                if (best.Choices.Zip(trials[i].Architecture.Choices).Count(p => p.First != p.Second) <= 2)
                    near++;
            }
        }
        near.Should().BeGreaterThanOrEqualTo(asks * 9 / 10);
    }

    [Fact]
    public void The_strategy_rebuilt_by_replay_asks_what_the_original_would_have()
    {
        using var host = Host();
        var entry = host.Strategies.Get("test-climber");
        var knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs);
        var space = new Nb201Space();
        var original = entry.Factory.Create(knobs);
        var told = new List<Trial>();
        // Each ask gets a fresh Random of its own, as the referee derives one per ask.
        SearchContext Context(int index) =>
            new()
            {
                Space = space,
                Random = new Random(1000 + index),
                AskIndex = index,
            };
        for (int index = 0; index < 30; index++)
        {
            var architecture = original.Ask(Context(index));
            space.Contains(architecture).Should().BeTrue();
            if (index % 6 == 5)
            {
                var rebuilt = entry.Factory.Create(knobs);
                foreach (var trial in told)
                    rebuilt.Tell(trial);
                rebuilt
                    .Ask(Context(index))
                    .Should()
                    .Be(architecture, $"after {index} trials the rebuilt instance must ask what the original asked");
            }
            // Every 4th trial fails (no objective); the others score by their 3x3 convolutions.
            bool ok = index % 4 != 3;
            var result = new Trial
            {
                Index = index,
                Architecture = architecture,
                Status = ok ? TrialStatus.Ok : TrialStatus.Failed,
                CostSeconds = 1,
                Metrics = ok
                    ? new Metrics { ValidationAccuracy = architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0 }
                    : new Metrics(),
            };
            result = RaceObjective.Accuracy.Score(result, "test");
            told.Add(result);
            original.Tell(result);
        }
    }

    /// <summary>The strategy template uses only ISearchSpace's moves, so it searches every space the host offers.</summary>
    [Fact]
    public void The_strategy_template_searches_every_space()
    {
        using var host = Host();
        var entry = host.Strategies.Get("test-climber");
        var knobs = KnobValues.Create(entry.Name, entry.Factory.Knobs);
        host.Spaces.Entries.Select(e => e.Name).Should().Contain(["nb201", "nats-size"]);
        foreach (var space in host.Spaces.Entries.Select(e => host.CreateSpace(e.Name)))
        {
            var strategy = entry.Factory.Create(knobs);
            var asked = new HashSet<Architecture>();
            for (int index = 0; index < 20; index++)
            {
                var architecture = strategy.Ask(
                    new SearchContext
                    {
                        Space = space,
                        Random = new Random(500 + index),
                        AskIndex = index,
                    }
                );
                space.Contains(architecture).Should().BeTrue($"the template asks within {space.Name}");
                asked.Add(architecture);
                var trial = new Trial
                {
                    Index = index,
                    Architecture = architecture,
                    Status = TrialStatus.Ok,
                    CostSeconds = 1,
                    Metrics = new Metrics { ValidationAccuracy = (index * 7 % 10) / 10.0 },
                };
                strategy.Tell(RaceObjective.Accuracy.Score(trial, "test"));
            }
            asked.Count.Should().BeGreaterThan(10, $"it explores {space.Name}");
        }
    }

    [Fact]
    public async Task The_estimator_prices_architectures_by_nas_bench_201_parameter_counts_as_a_score()
    {
        using var host = Host();
        var estimator = host.CreateEstimator("test-size-proxy", "fashion-mnist", new TrainingSettings(), "cpu");
        var space = new Nb201Space();
        async Task<EvaluationResult> Price(Architecture a) =>
            await estimator.EvaluateAsync(a, new EvaluationRequest { Seed = 1, DataSeed = 2 }, default);

        var conv = await Price(space.Parse(Uniform("nor_conv_3x3")));
        var none = await Price(space.Parse(Uniform("none")));
        var mixed = await Price(
            space.Parse("|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
        );
        // NAS-Bench-201's published counts; a proxy's score, never an accuracy.
        (conv.Status, conv.Metrics.Parameters, conv.Metrics.Score, conv.Metrics.ValidationAccuracy)
            .Should()
            .Be((TrialStatus.Ok, 1_531_546L, 1.0, (double?)null));
        none.Metrics.Parameters.Should().Be(73_306);
        mixed.Metrics.Parameters.Should().Be(73_306 + 2 * 243_040 + 28_000);
        mixed.Metrics.Score.Should().BeInRange(none.Metrics.Score!.Value, conv.Metrics.Score!.Value);

        var unknown = await Price(
            new Nb201Space([.. Nb201Space.DefaultOperations, "test_sep_conv"]).Parse(Uniform("test_sep_conv"))
        );
        unknown.Status.Should().Be(TrialStatus.Failed);
        unknown.Message.Should().Contain("test_sep_conv");
    }

    [Fact]
    public void The_operation_keeps_the_shape_contract_and_builds_into_the_network()
    {
        using var host = Host();
        var operation = host.Operations.Get("test_sep_conv");
        using var scope = NewDisposeScope();
        foreach (var (cin, cout, stride) in new[] { (8, 8, 1), (8, 16, 2), (16, 8, 2) })
        {
            using var module = operation.Build(cin, cout, stride);
            // Depthwise 3×3 (one filter per input channel), pointwise 1×1, BatchNorm's scale and shift.
            module.parameters().Sum(p => p.numel()).Should().Be(9L * cin + (long)cin * cout + 2L * cout);
            module.call(randn(2, cin, 9, 9)).shape.Should().Equal(2, cout, stride == 1 ? 9 : 5, stride == 1 ? 9 : 5);
        }
        // What --operations does with it.
        var space = host.CreateSpace("nb201", ["none", "skip_connect", "nor_conv_3x3", "test_sep_conv"]);
        using var network = new Nb201Network(
            space.Parse("|test_sep_conv~0|+|nor_conv_3x3~0|test_sep_conv~1|+|skip_connect~0|none~1|test_sep_conv~2|"),
            new NetworkSettings(8, 1, 1, 28, 10),
            host.Operations
        );
        var logits = network.call(randn(3, 1, 28, 28));
        logits.shape.Should().Equal(3, 10);
        logits.sum().backward();
    }

    [Fact]
    public void Nas_races_the_three_packs_together_from_the_command_line()
    {
        string journal = Path.Combine(packs.Root, "race.jsonl");
        var (exit, stdout, stderr) = NasProcess.Run(
            packs.Environment,
            "race",
            "--plugins",
            packs.Plugins,
            "--strategy",
            "test-climber",
            "--strategy",
            "random-search",
            "--estimator",
            "test-size-proxy",
            "--operations",
            "none,skip_connect,nor_conv_3x3,test_sep_conv",
            "--budget",
            "12",
            "--heats",
            "1",
            "--seed",
            "3",
            "--journal",
            journal,
            "--json"
        );
        exit.Should().Be(0, stderr);
        var summary = JObject.Parse(stdout);
        summary["contestants"]!.Select(c => (int)c["evaluations"]!).Should().Equal(12, 12);
        var trials = File.ReadLines(journal).Select(JObject.Parse).Where(e => (string?)e["type"] == "trial").ToArray();
        trials.Should().HaveCount(24);
        trials
            .Select(t => (string)t["contestant"]!)
            .Distinct()
            .Should()
            .BeEquivalentTo("test-climber", "random-search");
        // The proxy prices NB201's operations and refuses the pack's own: a failed trial, not a crash.
        trials.Should().Contain(t => ((string)t["arch"]!).Contains("test_sep_conv"));
        foreach (var trial in trials)
            ((string)trial["status"]!)
                .Should()
                .Be(((string)trial["arch"]!).Contains("test_sep_conv") ? "failed" : "ok");
    }

    [Fact]
    public void The_projects_build_into_packs_that_install_race_by_name_and_share_the_race()
    {
        string feed = Path.Combine(packs.Root, "feed");
        foreach (var (kind, project, published) in PackTemplateFixture.Packs)
        {
            var (built, stdout, stderr) = NasProcess.Run(
                packs.Environment,
                "pack",
                "build",
                packs.ProjectDir(project),
                "--output",
                feed
            );
            built.Should().Be(0, stderr);
            stdout.Should().Contain($"built {project} 1.0.0").And.Contain($"plugin {project}: {kind} {published}");
        }
        var user = new Dictionary<string, string?>(packs.Environment)
        {
            [NasHome.Variable] = Path.Combine(packs.Root, "user-home"),
        };
        foreach (var (_, project, _) in PackTemplateFixture.Packs)
            NasProcess.Run(user, "pack", "install", project, "--source", feed).Exit.Should().Be(0);

        // Installed packs race by name, with no --plugins.
        string journal = Path.Combine(packs.Root, "installed.jsonl");
        var (exit, original, err) = NasProcess.Run(
            user,
            "race",
            "--strategy",
            "test-climber",
            "--strategy",
            "random-search",
            "--estimator",
            "test-size-proxy",
            "--operations",
            "none,skip_connect,nor_conv_3x3,test_sep_conv",
            "--budget",
            "12",
            "--heats",
            "2",
            "--journal",
            journal,
            "--json"
        );
        exit.Should().Be(0, err);
        var climber = JObject.Parse(original)["contestants"]!.Single(c => (string)c["strategy"]! == "test-climber");
        ((string)climber["source"]!).Should().Be(StrategySource.InstalledPack);

        // The race, shared: its contestant, estimator and operation are plugins from three packs; one pack carries all.
        (exit, var built2, err) = NasProcess.Run(
            user,
            "pack",
            "build",
            "--from-race",
            journal,
            "--id",
            "Shared.Plugins",
            "--license",
            "MIT",
            "--output",
            feed
        );
        exit.Should().Be(0, err);
        built2
            .Should()
            .Contain("plugin TestClimber: strategy test-climber")
            .And.Contain("plugin TestSizeProxy: estimator test-size-proxy")
            .And.Contain("plugin TestSepConv: operation test_sep_conv");
        var other = new Dictionary<string, string?>(packs.Environment)
        {
            [NasHome.Variable] = Path.Combine(packs.Root, "other-home"),
        };
        NasProcess.Run(other, "pack", "install", "Shared.Plugins", "--source", feed).Exit.Should().Be(0);
        var command = Packs.PackListJson.RaceCommand(NasProcess.Run(other, "pack", "list", "--json").Out);
        (exit, var again, err) = NasProcess.Run(
            other,
            ["race", .. command, "--json", "--journal", Path.Combine(packs.Root, "again.jsonl")]
        );
        exit.Should().Be(0, err);
        static string[] Standings(string json) =>
            JObject.Parse(json)["contestants"]!
                .Select(c => $"{c["strategy"]} {c["bestValidationAccuracy"]} {c["evaluations"]} {c["failures"]}")
                .ToArray();
        Standings(again).Should().Equal(Standings(original));
    }
}
