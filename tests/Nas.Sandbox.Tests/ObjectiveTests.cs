using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Tests;

/// <summary>--objective and --reference: parsing, errors that name the bad part, and the value of a trial's metrics.</summary>
public sealed class ObjectiveTests
{
    private static readonly Metrics Sample = new()
    {
        ValidationAccuracy = 0.8,
        Parameters = 1_500_000,
        Flops = 40_000_000,
        LatencyMs = 2.5,
        LatencyMsBatch64 = 30,
    };

    [Fact]
    public void The_default_is_plain_accuracy()
    {
        var objective = RaceObjective.Parse("accuracy");
        objective.IsAccuracy.Should().BeTrue();
        objective.IsPareto.Should().BeFalse();
        objective.Evaluate(Sample).Objective.Should().Be(0.8);
        objective.Description.Should().BeEquivalentTo(ObjectiveDescription.Accuracy);
    }

    [Theory]
    [InlineData("accuracy-0.5*params", 0.8 - 0.5 * 1.5)]
    [InlineData("accuracy - 0.5 * params", 0.8 - 0.5 * 1.5)]
    [InlineData("accuracy-params*0.5", 0.8 - 0.5 * 1.5)]
    [InlineData("accuracy-1e-3*flops", 0.8 - 1e-3 * 40)]
    [InlineData("accuracy-0.01*latency1-0.001*latency64", 0.8 - 0.01 * 2.5 - 0.001 * 30)]
    [InlineData("-params", -1.5)]
    [InlineData("2*accuracy+flops", 1.6 + 40)]
    [InlineData(" Accuracy - 0.5 * Params ", 0.8 - 0.5 * 1.5)]
    public void A_scalarised_objective_is_the_weighted_sum_in_the_stated_units(string text, double expected)
    {
        var objective = RaceObjective.Parse(text);
        objective.IsPareto.Should().BeFalse();
        objective.IsAccuracy.Should().BeFalse();
        objective.Evaluate(Sample).Objective.Should().BeApproximately(expected, 1e-12);
        objective.Evaluate(Sample).Objectives.Should().BeNull();
    }

    [Fact]
    public void A_pareto_objective_negates_costs_and_its_scalar_is_the_first_component()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,params,latency64");
        objective.IsPareto.Should().BeTrue();
        objective.Description.Components.Should().Equal("accuracy", "-params", "-latency64");
        var (scalar, vector, missing) = objective.Evaluate(Sample);
        missing.Should().BeNull();
        vector.Should().Equal(0.8, -1.5, -30.0);
        scalar.Should().Be(0.8);
        objective.Metrics.Should().Contain(ObjectiveMetric.Latency64);
    }

    [Fact]
    public void A_metric_the_estimator_did_not_report_is_named()
    {
        var (scalar, vector, missing) = RaceObjective
            .Parse("pareto:accuracy,latency1")
            .Evaluate(new Metrics { ValidationAccuracy = 0.5 });
        (scalar, vector).Should().Be((null, null));
        missing.Should().Be(ObjectiveMetric.Latency1);
    }

    [Fact]
    public void Accuracy_falls_back_to_a_proxy_score_when_the_estimator_measures_no_accuracy()
    {
        RaceObjective.Parse("accuracy").Evaluate(new Metrics { Score = 42 }).Objective.Should().Be(42);
    }

    [Theory]
    [InlineData("acuracy", "unknown metric 'acuracy'")]
    [InlineData("accuracy-0.5*parms", "unknown metric 'parms'")]
    [InlineData("accuracy-0.5*", "expected a metric at position 13")]
    [InlineData("accuracy 0.5*params", "expected + or - at position 9")]
    [InlineData("accuracy-0.5params", "expected * after the weight at position 12")]
    [InlineData("accuracy - 0.5 parms", "expected * after the weight at position 15")]
    [InlineData("accuracy-1.2.3*params", "'1.2.3' at position 9 is not a number")]
    [InlineData("accuracy-params-params", "'params' appears twice")]
    [InlineData("pareto:accuracy", "2 or 3 components, not 1")]
    [InlineData("pareto:accuracy,params,flops,latency1", "2 or 3 components, not 4")]
    [InlineData("pareto:accuracy,param", "unknown metric 'param'")]
    [InlineData("pareto:accuracy,,params", "an empty component")]
    [InlineData("pareto:accuracy,accuracy", "'accuracy' appears twice")]
    [InlineData("  ", "--objective is empty")]
    public void Bad_syntax_names_the_option_and_the_bad_part(string text, string expected)
    {
        var act = () => RaceObjective.Parse(text);
        act.Should()
            .Throw<NasException>()
            .Where(
                e => e.Message.Contains("--objective") && e.Message.Contains(expected),
                $"message should contain \"{expected}\""
            );
    }

    [Fact]
    public void Reference_values_are_parsed_by_name_and_checked()
    {
        var pareto = RaceObjective.Parse("pareto:accuracy,params");
        ParetoReference
            .Parse("accuracy=0.5, params=2", pareto)
            .Should()
            .BeEquivalentTo(new Dictionary<string, double> { ["accuracy"] = 0.5, ["params"] = 2 });
        FluentActions
            .Invoking(() => ParetoReference.Parse("flops=3", pareto))
            .Should()
            .Throw<NasException>()
            .WithMessage("*'flops' is not a component of pareto:accuracy,params*");
        FluentActions
            .Invoking(() => ParetoReference.Parse("params", pareto))
            .Should()
            .Throw<NasException>()
            .WithMessage("--reference: 'params' is not NAME=VALUE*");
        FluentActions
            .Invoking(() => ParetoReference.Parse("params=x", pareto))
            .Should()
            .Throw<NasException>()
            .WithMessage("*'x' is not a number*");
        FluentActions
            .Invoking(() => ParetoReference.Parse("params=0", pareto))
            .Should()
            .Throw<NasException>()
            .WithMessage("*must be above 0*");
        FluentActions
            .Invoking(() => ParetoReference.Parse("accuracy=1", pareto))
            .Should()
            .Throw<NasException>()
            .WithMessage("*must be below 1*");
        FluentActions
            .Invoking(() => ParetoReference.Parse("accuracy=0.5", RaceObjective.Accuracy))
            .Should()
            .Throw<NasException>()
            .WithMessage("--reference is for a Pareto race*");
    }

    [Fact]
    public void The_default_reference_is_accuracy_zero_and_the_worst_cost_and_given_values_win()
    {
        var pareto = RaceObjective.Parse("pareto:accuracy,params,flops");
        var byDefault = ParetoReference.For(pareto, null, m => m.Name == "params" ? 2.0 : 50.0, "worst in table t.csv");
        byDefault.Raw.Should().Equal(0, 2, 50);
        byDefault.Source.Should().Be("worst in table t.csv");
        byDefault.ToString().Should().Be("accuracy 0, params 2 M, flops 50 MFLOPs (worst in table t.csv)");
        var given = ParetoReference.For(
            pareto,
            new Dictionary<string, double> { ["accuracy"] = 0.5, ["flops"] = 10 },
            _ => 2.0,
            "worst seen in the race"
        );
        given.Raw.Should().Equal(0.5, 2, 10);
        given.Source.Should().Be("--reference, other costs worst seen in the race");
    }
}
