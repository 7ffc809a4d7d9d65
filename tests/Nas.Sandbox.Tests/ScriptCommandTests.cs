using System.Diagnostics;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

/// <summary><c>nas script check</c> through the real executable: output format and exit codes.</summary>
public sealed class ScriptCommandTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static (int Exit, string Out, string Err) Nas(params string[] args) => NasProcess.Run(args);

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void A_good_script_says_what_it_defines_and_exits_0()
    {
        var (exit, stdout, stderr) = Nas("script", "check", ScriptTestKit.Example("crossover-evolution.csx"));
        exit.Should().Be(0, stderr);
        Lines(stdout).Should().Equal("ok: strategy crossover-evolution");
        stderr.Should().BeEmpty();
    }

    [Fact]
    public void A_script_with_a_warning_prints_it_and_still_exits_0()
    {
        string path = _folder.Write(
            "op.csx",
            """
            using static TorchSharp.torch;
            #warning not tuned yet
            public sealed class Identity : IOperation
            {
                public string Name => "my_identity";
                public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) => nn.Identity();
            }
            """
        );
        var (exit, stdout, stderr) = Nas("script", "check", path);
        exit.Should().Be(0, stderr);
        Lines(stdout)
            .Should()
            .Equal($"{path}(2,10): warning CS1030: #warning: 'not tuned yet'", "ok: operation my_identity");
    }

    [Fact]
    public void A_broken_script_prints_compiler_style_errors_and_exits_1()
    {
        string path = _folder.Write(
            "broken.csx",
            "public sealed class S : IStrategy\n{\n    public Architecture Ask(SearchContext c) => c.Space.Sample(c.Rng);\n    public void Tell(Trial t) { }\n}\nint x = 1\n"
        );
        var (exit, stdout, _) = Nas("script", "check", path);
        exit.Should().Be(1);
        var lines = Lines(stdout);
        lines
            .Should()
            .Equal(
                $"{path}(3,66): error CS1061: 'SearchContext' does not contain a definition for 'Rng' and no accessible extension method 'Rng' accepting a first argument of type 'SearchContext' could be found (are you missing a using directive or an assembly reference?)",
                $"{path}(6,10): error CS1002: ; expected"
            );
        lines.Should().OnlyContain(l => !l.StartsWith("ok:"));
    }

    [Fact]
    public void A_missing_script_exits_1_with_our_code()
    {
        string missing = Path.Combine(_folder.Path, "missing.csx");
        var (exit, stdout, _) = Nas("script", "check", missing);
        exit.Should().Be(1);
        Lines(stdout).Should().Equal($"{missing}(1,1): error NAS0001: script file not found");
    }

    /// <summary>An estimator script whose class is <paramref name="type"/> and whose estimator is <paramref name="name"/>.</summary>
    internal static string EstimatorScript(string type, string name, double score = 0.5) =>
        $$"""
            public sealed class {{type}} : IEstimator
            {
                public string Name => "{{name}}";
                public Task<EvaluationResult> EvaluateAsync(Architecture a, EvaluationRequest r, CancellationToken c) =>
                    Task.FromResult(new EvaluationResult
                    {
                        Status = TrialStatus.Ok, CostSeconds = 1, Fidelity = r.Fidelity,
                        Metrics = new Metrics { ValidationAccuracy = {{score}} },
                    });
            }
            """;

    private static string StrategyScript(params string[] types) =>
        string.Concat(
            types.Select(t =>
                $$"""
                    public sealed class {{t}} : IStrategy
                    {
                        public Architecture Ask(SearchContext c) => c.Space.Sample(c.Random);
                        public void Tell(Trial t) { }
                    }

                    """
            )
        );

    /// <remarks>
    /// A race resolves estimators built-ins first, then plugins, then scripts, and refuses a script whose operation or
    /// space another source registered; it loads a folder's scripts in name order, and a strategy name taken by an
    /// earlier script is ignored. Each of these said ok before, though the race never raced the script's definition.
    /// </remarks>
    [Fact]
    public void A_folder_whose_scripts_take_built_in_or_each_others_names_fails_naming_who_has_the_name()
    {
        string first = _folder.Write("a-quick.csx", EstimatorScript("A", "quick"));
        string second = _folder.Write("b-quick.csx", EstimatorScript("B", "quick"));
        string builtIn = _folder.Write("c-train.csx", EstimatorScript("C", "train"));
        string operation = _folder.Write(
            "d-op.csx",
            """
            public sealed class Mine : IOperation
            {
                public string Name => "nor_conv_3x3";
                public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build(int i, int o, int s) =>
                    TorchSharp.torch.nn.Identity();
            }
            """
        );
        // e.csx's two strategies are e-greedy and e-lazy; e-greedy.csx, loaded first (by name), is e-greedy too.
        string single = _folder.Write("e-greedy.csx", StrategyScript("Greedy"));
        string pair = _folder.Write("e.csx", StrategyScript("Greedy", "Lazy"));

        var (exit, stdout, stderr) = Nas("script", "check", _folder.Path);

        exit.Should().Be(1, stderr);
        Lines(stdout)
            .Should()
            .Equal(
                $"ok: {first}: estimator quick",
                $"{second}(1,1): error NAS0010: estimator 'quick' is already defined by script {first}; rename one of them.",
                $"{builtIn}(1,1): error NAS0010: estimator 'train' is already provided by the built-in estimator; rename it.",
                $"{operation}(1,1): error NAS0010: operation 'nor_conv_3x3' is already registered by built-in.",
                $"ok: {single}: strategy e-greedy",
                $"{pair}(1,1): error NAS0010: strategy 'e-greedy' is already defined by script {single}, which a race loads first and races under that name; rename one of them."
            );

        // One script alone is checked against the built-ins too.
        (exit, stdout, _) = Nas("script", "check", builtIn);
        exit.Should().Be(1);
        Lines(stdout)
            .Should()
            .Equal(
                $"{builtIn}(1,1): error NAS0010: estimator 'train' is already provided by the built-in estimator; rename it."
            );
    }

    /// <remarks>
    /// A user who copies BANANAS into bananas.csx to change it: by name a race races the built-in (with a warning), by
    /// path it said "defines no strategy (or was not loaded)", and the check said ok.
    /// </remarks>
    [Fact]
    public void A_script_named_like_a_built_in_strategy_fails_its_check_and_a_race_by_its_path_says_why()
    {
        string path = _folder.Write("bananas.csx", StrategyScript("Mine"));

        var (exit, stdout, _) = Nas("script", "check", path);

        exit.Should().Be(1);
        Lines(stdout)
            .Should()
            .ContainSingle()
            .Which.Should()
            .Match(
                $"{path}(1,1): error NAS0010: strategy 'bananas' is already provided by the built-in pack *Nas.Sandbox.Strategies.*.dll, which a race races under that name; rename the file (a script's strategy is named after it)."
            );
        var race = Nas("race", "--estimator", "tabular", "--budget", "3", "--heats", "1", "--strategy", path);
        race.Exit.Should().Be(1);
        race.Err.Trim()
            .Should()
            .Match(
                $"error: Script {path} defines strategy 'bananas', a name the built-in pack *.dll already has, so it is not raced: a script's strategy is named after its file (FILE-CLASS when it has several); rename the file."
            );
    }

    /// <remarks>
    /// A script that does not compile publishes nothing, and a race prints load warnings only once it starts: racing its
    /// strategy by name said only "Unknown strategy 'greedy'. Available: ...", hiding the compile error.
    /// </remarks>
    [Fact]
    public void A_strategy_or_estimator_whose_script_did_not_compile_is_unknown_with_the_scripts_errors()
    {
        string home = Path.Combine(_folder.Path, "home");
        string script = Path.Combine(home, "scripts", "greedy.csx");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.WriteAllText(
            script,
            "public sealed class G : IStrategy\n{\n    public Architecture Ask(SearchContext c) => c.Space.Sample(c.Rng);\n    public void Tell(Trial t) { }\n}\n"
        );
        var environment = new Dictionary<string, string?> { [NasHome.Variable] = home };

        var (exit, _, err) = NasProcess.Run(
            environment,
            ["race", "--estimator", "tabular", "--budget", "3", "--heats", "1", "--strategy", "greedy"]
        );

        exit.Should().Be(1);
        var lines = Lines(err);
        lines[0].Should().StartWith("error: Unknown strategy 'greedy'. Available: ");
        lines
            .Skip(1)
            .Take(2)
            .Should()
            .Equal(
                $"{script} did not load, so it defines nothing:",
                $"{script}(3,66): error CS1061: 'SearchContext' does not contain a definition for 'Rng' and no accessible extension method 'Rng' accepting a first argument of type 'SearchContext' could be found (are you missing a using directive or an assembly reference?)"
            );
        // A name no script's file gives: the scripts that did not load are listed.
        (exit, _, err) = NasProcess.Run(environment, ["race", "--estimator", "my-proxy", "--budget", "3"]);
        exit.Should().Be(1);
        Lines(err)
            .Should()
            .Contain($"1 script(s) did not load, so they define nothing: {script} (nas script check FILE shows why).");
    }
}
