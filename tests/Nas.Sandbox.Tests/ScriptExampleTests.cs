using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Tests;

/// <summary>Every example in scripts/ compiles without errors and publishes what its comment promises.</summary>
public class ScriptExampleTests
{
    [Theory]
    [InlineData("greedy-local-search.csx", new[] { "greedy-local-search" }, new string[0], new string[0])]
    [InlineData("edge-bandit.csx", new[] { "edge-bandit" }, new string[0], new string[0])]
    [InlineData("crossover-evolution.csx", new[] { "crossover-evolution" }, new string[0], new string[0])]
    [InlineData("nor-dil-conv-3x3.csx", new string[0], new string[0], new[] { "nor_dil_conv_3x3" })]
    [InlineData("param-proxy.csx", new string[0], new[] { "param-proxy" }, new string[0])]
    public void Each_example_compiles_and_publishes_what_it_promises(
        string file,
        string[] strategies,
        string[] estimators,
        string[] operations
    )
    {
        var result = ScriptTestKit.Compiler.Compile(ScriptTestKit.Example(file));
        result.Diagnostics.Should().BeEmpty(string.Join(Environment.NewLine, result.Diagnostics));
        using var script = result.Script!;
        script.Path.Should().Be(ScriptTestKit.Example(file));
        script.Version.Should().MatchRegex("^[0-9a-f]{8}$");
        script.Strategies.Select(s => s.Name).Should().Equal(strategies);
        script.Estimators.Select(e => e.Name).Should().Equal(estimators);
        script.Operations.Select(o => o.Name).Should().Equal(operations);
        script.Strategies.Should().NotContain(s => string.IsNullOrWhiteSpace(s.Description));
    }

    [Fact]
    public void A_plain_strategy_class_is_published_under_the_file_name_with_its_description()
    {
        using var script = ScriptTestKit.CompileExample("greedy-local-search.csx");
        var factory = script
            .Strategies.Should()
            .ContainSingle()
            .Which.Should()
            .BeOfType<ScriptStrategyFactory>()
            .Subject;
        factory.Knobs.Should().BeEmpty();
        factory.Description.Should().Contain("local search");
    }

    [Fact]
    public void Knobs_come_through_the_scripts_factory()
    {
        using var script = ScriptTestKit.CompileExample("edge-bandit.csx");
        var factory = script.Strategies.Single();
        factory.Knobs.Select(k => (k.Name, k.DefaultValue)).Should().Equal(("exploration", "0.5"));
        var values = Nas.Sandbox.Abstractions.KnobValues.Create(
            factory.Name,
            factory.Knobs,
            new Dictionary<string, string> { ["exploration"] = "1.0" }
        );
        factory.Create(values).Should().NotBeNull();
        var bad = Nas.Sandbox.Abstractions.KnobValues.Create(
            factory.Name,
            factory.Knobs,
            new Dictionary<string, string> { ["exploration"] = "lots" }
        );
        factory
            .Invoking(f => f.Create(bad))
            .Should()
            .Throw<Nas.Sandbox.Abstractions.KnobException>()
            .WithMessage("*exploration*");
    }

    [Fact]
    public void Load_pulls_in_the_helper_and_lists_it_among_the_source_files()
    {
        using var script = ScriptTestKit.CompileExample("crossover-evolution.csx");
        script
            .SourceFiles.Should()
            .Equal(
                ScriptTestKit.Example("crossover-evolution.csx"),
                ScriptTestKit.Example(Path.Combine("lib", "tournament.csx"))
            );
    }

    [Fact]
    public void One_compiler_compiles_several_scripts_at_once()
    {
        string[] files =
        [
            "greedy-local-search.csx",
            "edge-bandit.csx",
            "crossover-evolution.csx",
            "nor-dil-conv-3x3.csx",
            "param-proxy.csx",
        ];
        var results = new ScriptCompilationResult[files.Length * 2];
        Parallel.For(0, results.Length, i =>
            results[i] = ScriptTestKit.Compiler.Compile(ScriptTestKit.Example(files[i % files.Length]))
        );
        try
        {
            results.Should().OnlyContain(r => r.Success);
            // Each compile gets its own load context: the same script twice gives two distinct, equally versioned copies.
            results[1].Script!.Version.Should().Be(results[files.Length + 1].Script!.Version);
            results[1]
                .Script!.Strategies[0]
                .GetType()
                .Should()
                .NotBeSameAs(results[files.Length + 1].Script!.Strategies[0].GetType());
        }
        finally
        {
            foreach (var r in results)
                r.Script?.Dispose();
        }
    }
}
