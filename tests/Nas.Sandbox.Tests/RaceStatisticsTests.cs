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
        Wilcoxon
            .PValue([1, 2, 3, 4, 5])
            .Should()
            .BeApproximately(0.0625, 1e-12, "all five pairs favour one side: 2/32");
        Wilcoxon.PValue([0.5, -0.2, 0.3, 0.4, 0.1, 0.6, -0.7, 0.8]).Should().BeApproximately(0.25, 1e-12);
        Wilcoxon.PValue([0, 0, 0]).Should().Be(1, "no non-zero difference, no evidence");
        Wilcoxon
            .PValue(Enumerable.Range(1, 30).Select(i => (double)i).ToArray())
            .Should()
            .BeLessThan(1e-5, "the normal approximation beyond 20 pairs");
    }

    // Reference values from SciPy 1.10.1: scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True, method=...),
    // and, for the exact p-value with ties (which SciPy's exact method does not do), the share of all 2^n sign patterns
    // of scipy.stats.rankdata(|d|) at least as extreme, enumerated one by one.

    [Fact]
    public void Wilcoxon_exact_matches_scipys_example()
    {
        // Darwin's Zea mays height differences (Fisher 1935), the example of SciPy's wilcoxon docs: method="exact".
        double[] zea = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
        Wilcoxon.PValue(zea).Should().BeApproximately(0.041259765625, 1e-12);
    }

    [Fact]
    public void Wilcoxon_exact_with_ties_and_zeros_drops_the_zeros_and_enumerates_the_tied_ranks()
    {
        // Two zeros (dropped), |1.5| twice, 2 three times, 4 twice, |5| twice: average ranks, counted over 2^12 patterns.
        double[] d = [0, 0, 1.5, -1.5, 2, 2, 2, 3, -0.5, 4, 4, 5, -5, 6];
        Wilcoxon.PValue(d).Should().BeApproximately(0.0478515625, 1e-12);
        Wilcoxon
            .PValue(d.Where(x => x != 0).ToArray())
            .Should()
            .Be(Wilcoxon.PValue(d), "zeros are dropped, as scipy's zero_method='wilcox'");
    }

    [Fact]
    public void Wilcoxon_beyond_the_exact_limit_is_the_normal_approximation_with_the_tie_correction()
    {
        // 28 pairs: 3 zeros (dropped), 25 non-zero with many tied magnitudes. method="approx", correction=True.
        double[] d = [0, 0, 0, 1, 1, 1, -1, 2, 2, -2, 3, 3, 3, 3, -4, 5, 5, 6, -6, 7, 7, 8, 9, -9, 10, 10, 11, 12];
        Wilcoxon.PValue(d).Should().BeApproximately(0.004477365961479019, 1e-12);
        // Without ties: 1..30 all favour one side.
        Wilcoxon
            .PValue(Enumerable.Range(1, 30).Select(i => (double)i).ToArray())
            .Should()
            .BeApproximately(1.8253714563612074e-06, 1e-15);
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
            statistics.OnEvent(
                new TrialFinished(
                    "a",
                    0,
                    new Trial
                    {
                        Index = i,
                        Architecture = cells[i],
                        Status = TrialStatus.Ok,
                        Metrics = new Metrics { ValidationAccuracy = accuracies[i] },
                        CostSeconds = 1,
                    },
                    null
                )
            );
        var test = cells.Select((c, i) => (c.Key, 0.1 * (i + 1))).ToDictionary(p => p.Key, p => (double?)p.Item2);
        var settings = new RaceSettings { Contestants = [ContestantSpec.Parse("a")], Budget = 4 };
        var points = statistics.Checkpoints(settings, k => test[k]);
        points
            .Select(p => (p.Fraction, p.Validation, p.Test))
            .Should()
            .Equal((0.25, 0.5, 0.1), (0.5, 0.9, 0.2), (1.0, 0.9, 0.2));
    }
}
