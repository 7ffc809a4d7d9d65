using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Strategies.Field;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What makes predictor-local-search: its rank ridge learns a planted objective from the space's generic features and
/// ignores the objective's scale, the walk tries the predicted best neighbour first, it restarts on its two
/// no-improvement rules, it rebuilds by replay, and bad knobs get one clear error.
/// </summary>
public sealed class PredictorLocalSearchTests
{
    private static readonly Nb201Space Space = new();

    /// <summary>A planted objective: mostly which operations a cell has, a little where (an edge-specific term).</summary>
    private static double Planted(Architecture cell)
    {
        double sum = 0;
        for (int e = 0; e < cell.Choices.Count; e++)
        {
            int op = IndexOf(cell.Choices[e]);
            sum += op + 0.3 * ((e * 7 + op * 3) % 5) / 4.0; // op index 0..4: none < skip < 1x1 < 3x3 < pool
        }
        return sum;
    }

    private static int IndexOf(string operation)
    {
        for (int i = 0; i < Space.Operations.Count; i++)
            if (Space.Operations[i] == operation)
                return i;
        throw new ArgumentException(operation);
    }

    private static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var ra = RankRidge.Ranks(a);
        var rb = RankRidge.Ranks(b);
        double ma = ra.Average(),
            mb = rb.Average();
        double cov = 0,
            va = 0,
            vb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return cov / Math.Sqrt(va * vb);
    }

    [Fact]
    public void The_predictor_ranks_unseen_cells_of_a_planted_objective_as_the_objective_does()
    {
        var random = new Random(4);
        var ridge = new RankRidge(Space, choiceRidge: 30, countRidge: 0.1);
        var seen = new HashSet<Architecture>();
        while (ridge.Count < 60)
        {
            var cell = Space.Sample(random);
            if (seen.Add(cell))
                ridge.Add(cell, Planted(cell));
        }
        var weights = ridge.Fit();
        var unseen = Enumerable.Range(0, 300).Select(_ => Space.Sample(random)).Where(c => !seen.Contains(c)).ToList();
        Spearman(unseen.Select(c => ridge.Predict(weights, c)).ToList(), unseen.Select(Planted).ToList())
            .Should()
            .BeGreaterThan(0.9);
        // A predictor that learned nothing (or the reverse) is far from it.
        Spearman(unseen.Select(c => -ridge.Predict(weights, c)).ToList(), unseen.Select(Planted).ToList())
            .Should()
            .BeLessThan(-0.9);
    }

    [Fact]
    public void The_predictor_learns_ranks_so_a_monotone_change_of_the_objective_changes_nothing()
    {
        var random = new Random(9);
        var cells = Enumerable.Range(0, 40).Select(_ => Space.Sample(random)).Distinct().ToList();
        var plain = new RankRidge(Space, 30, 0.1);
        var stretched = new RankRidge(Space, 30, 0.1);
        foreach (var cell in cells)
        {
            plain.Add(cell, Planted(cell));
            stretched.Add(cell, Math.Exp(2 * Planted(cell))); // same order, wildly different scale and spacing
        }
        stretched.Fit().Should().Equal(plain.Fit());
    }

    [Fact]
    public void Ranks_are_scaled_to_zero_one_and_ties_share_their_mean_rank()
    {
        RankRidge.Ranks([0.3, 0.1, 0.3, 0.9, 0.2]).Should().Equal(0.625, 0, 0.625, 1, 0.25);
        RankRidge.Ranks([5.0]).Should().Equal(0.5);
    }

    [Fact]
    public void The_features_are_each_choices_one_hot_then_the_operation_counts_then_one()
    {
        var ridge = new RankRidge(Space, 1, 1);
        var cell = Space.FromChoices(["nor_conv_3x3", "none", "nor_conv_3x3", "skip_connect", "none", "nor_conv_3x3"]);
        var row = ridge.Features(cell);
        ridge.Dimension.Should().Be(6 * 5 + 5 + 1);
        row.Take(30).Should().Equal(Space.Encode(cell).Select(v => (double)v));
        row.Skip(30).Should().Equal(2, 1, 0, 3, 0, 1); // none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3; 1
    }

    [Fact]
    public async Task On_a_planted_objective_the_walk_climbs_by_predicted_best_neighbours_and_beats_a_shuffled_order()
    {
        // The optimum is avg_pool_3x3 on every edge (the largest op index). From the best of 20 random cells it is at
        // most 6 improving moves away; a walk trying neighbours in a shuffled order pays ~24 / (edges left) asks a move.
        var optimum = Uniform(Space, 4);
        int Found(List<Trial> heat) => heat.FindIndex(t => t.Architecture == optimum) is var i and >= 0 ? i : 999;
        var guided = await Race(Space, Planted, "predictor-local-search", budget: 80, heats: 6, seed: 2);
        var shuffled = await Race(Space, Planted, "local-search:initial=20", budget: 80, heats: 6, seed: 2);
        guided.Select(Found).Should().OnlyContain(i => i < 20 + 6 + 3, "nearly every guided ask improves the centre");
        guided.Select(Found).Average().Should().BeLessThan(shuffled.Select(Found).Average() - 10);
    }

    /// <summary>Asks with the trials so far, tells the answer with <paramref name="score"/>; returns the answer.</summary>
    private static Architecture Step(IStrategy strategy, int index, double score)
    {
        var answer = strategy.Ask(Context(Space, index, new Random(100 + index)));
        strategy.Tell(Ok(index, answer, score));
        return answer;
    }

    [Fact]
    public void It_restarts_after_restart_evaluations_without_improving_the_centre()
    {
        var strategy = Create("predictor-local-search", ("initial", "1"), ("restart", "2"), ("patience", "0"));
        var centre = Step(strategy, 0, 0.5);
        Space.Neighbours(centre).Should().Contain(Step(strategy, 1, 0.1));
        Space.Neighbours(centre).Should().Contain(Step(strategy, 2, 0.1));
        var restart = Step(strategy, 3, 0.2); // a new sample of one: the next walk's centre
        Space.Neighbours(centre).Should().NotContain(restart).And.NotContain(centre);
        Space.Neighbours(restart).Should().Contain(Step(strategy, 4, 0.1));
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(0, false)]
    public void A_walk_that_climbs_below_the_searchs_best_is_abandoned_after_patience_evaluations(
        int patience,
        bool abandoned
    )
    {
        var strategy = Create(
            "predictor-local-search",
            ("initial", "1"),
            ("restart", "3"),
            ("patience", patience.ToString(System.Globalization.CultureInfo.InvariantCulture))
        );
        var best = Step(strategy, 0, 0.9);
        for (int i = 1; i <= 3; i++)
            Space.Neighbours(best).Should().Contain(Step(strategy, i, 0.1)); // three without improvement: restart
        var centre = Step(strategy, 4, 0.2); // the new walk's start, far below the best
        for (int i = 5; i <= 7; i++)
        {
            var next = Step(strategy, i, 0.2 + 0.1 * (i - 4)); // each improves the centre, none the search's best
            Space.Neighbours(centre).Should().Contain(next);
            centre = next;
        }
        var after = strategy.Ask(Context(Space, 8, new Random(108)));
        Space.Neighbours(centre).Contains(after).Should().Be(!abandoned);
    }

    [Fact]
    public void A_rebuilt_instance_told_the_same_trials_asks_the_same_and_asks_in_flight_are_distinct_neighbours()
    {
        var original = Create("predictor-local-search", ("initial", "6"));
        var told = new List<Trial>();
        for (int i = 0; i < 25; i++)
        {
            var answer = original.Ask(Context(Space, i, new Random(i)));
            told.Add(Ok(i, answer, Planted(answer)));
            original.Tell(told[^1]);
        }
        var rebuilt = Create("predictor-local-search", ("initial", "6"));
        foreach (var trial in told)
            rebuilt.Tell(trial);
        var pending = new List<PendingTrial>();
        var fromOriginal = new List<Architecture>();
        var fromRebuilt = new List<Architecture>();
        for (int k = 0; k < 4; k++)
        {
            int index = 25 + k;
            var a = original.Ask(Context(Space, index, new Random(index)) with { Pending = pending.ToArray() });
            var b = rebuilt.Ask(Context(Space, index, new Random(index)) with { Pending = pending.ToArray() });
            fromOriginal.Add(a);
            fromRebuilt.Add(b);
            pending.Add(new PendingTrial { Index = index, Architecture = a });
        }
        fromRebuilt.Should().Equal(fromOriginal);
        fromOriginal.Should().OnlyHaveUniqueItems().And.NotContain(told.Select(t => t.Architecture));
    }

    [Theory]
    [InlineData("choice-ridge", "0")]
    [InlineData("count-ridge", "-1")]
    [InlineData("pool", "0")]
    [InlineData("initial", "0")]
    [InlineData("restart", "-2")]
    [InlineData("patience", "ten")]
    public void A_knob_out_of_range_gets_one_error_naming_it(string knob, string value)
    {
        var act = () => Create("predictor-local-search", (knob, value));
        act.Should()
            .Throw<KnobException>()
            .Which.Message.Should()
            .Contain($"'{knob}'")
            .And.Contain("predictor-local-search")
            .And.Contain(value);
    }
}
