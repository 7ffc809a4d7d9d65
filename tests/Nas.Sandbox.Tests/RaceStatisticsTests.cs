using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Anytime standings and the paired test printed after a tabular race.</summary>
public class RaceStatisticsTests
{
    [Fact]
    public void Wilcoxon_matches_the_exact_distribution()
    {
        Wilcoxon.PValue([1, 2, 3, 4, 5]).Should().BeApproximately(0.0625, 1e-12, "all five pairs favour one side: 2/32");
        Wilcoxon.PValue([0.5, -0.2, 0.3, 0.4, 0.1, 0.6, -0.7, 0.8]).Should().BeApproximately(0.25, 1e-12);
        Wilcoxon.PValue([0, 0, 0]).Should().Be(1, "no non-zero difference, no evidence");
        Wilcoxon.PValue(Enumerable.Range(1, 30).Select(i => (double)i).ToArray()).Should().BeLessThan(1e-5, "the normal approximation beyond 20 pairs");
    }

    [Fact]
    public void Checkpoints_take_the_best_by_validation_within_each_fraction_of_the_budget()
    {
        var space = new Nb201Space();
        var cells = space.Enumerate().Take(4).ToArray();
        var statistics = new RaceStatistics();
        // Heat 0: validation 0.5, 0.9, 0.6, 0.7 → best at 25 % (1 eval) is cells[0], at 50 % and 100 % cells[1].
        double[] accuracies = [0.5, 0.9, 0.6, 0.7];
        for (int i = 0; i < 4; i++)
            statistics.OnEvent(new TrialFinished("a", 0, new Trial
            {
                Index = i, Architecture = cells[i], Status = TrialStatus.Ok, Metrics = new Metrics { ValidationAccuracy = accuracies[i] }, CostSeconds = 1,
            }, null));
        var test = cells.Select((c, i) => (c.Key, 0.1 * (i + 1))).ToDictionary(p => p.Key, p => (double?)p.Item2);
        var settings = new RaceSettings { Contestants = [ContestantSpec.Parse("a")], Budget = 4 };
        var points = statistics.Checkpoints(settings, k => test[k]);
        points.Select(p => (p.Fraction, p.Validation, p.Test)).Should().Equal((0.25, 0.5, 0.1), (0.5, 0.9, 0.2), (1.0, 0.9, 0.2));
    }
}
