using Nas.Sandbox.Core.Estimators;

namespace Nas.Sandbox.Tests;

/// <summary>The figures `nas estimators report` prints, checked against hand-computed values (ties included).</summary>
public class RankCorrelationTests
{
    [Fact]
    public void Same_order_is_one_and_reversed_order_is_minus_one()
    {
        double[] x = [0.1, 0.5, 0.7, 0.9],
            up = [1, 2, 30, 400],
            down = [4, 3, 2, 1];
        RankCorrelation.Spearman(x, up).Should().BeApproximately(1, 1e-12);
        RankCorrelation.KendallTauB(x, up).Should().BeApproximately(1, 1e-12);
        RankCorrelation.Spearman(x, down).Should().BeApproximately(-1, 1e-12);
        RankCorrelation.KendallTauB(x, down).Should().BeApproximately(-1, 1e-12);
    }

    [Fact]
    public void Ties_get_average_ranks_and_tau_b()
    {
        double[] x = [1, 2, 3, 4, 5],
            y = [5, 6, 7, 8, 7];
        RankCorrelation.Spearman(x, y).Should().BeApproximately(0.8207826816681233, 1e-12);
        RankCorrelation.KendallTauB(x, y).Should().BeApproximately(0.7378647873726218, 1e-12);
    }

    [Fact]
    public void A_partial_agreement()
    {
        double[] x = [1, 2, 3, 4, 5, 6],
            y = [3, 4, 1, 2, 6, 5];
        RankCorrelation.Spearman(x, y).Should().BeApproximately(0.4857142857142857, 1e-12);
        RankCorrelation.KendallTauB(x, y).Should().BeApproximately(1.0 / 3, 1e-12);
    }

    [Fact]
    public void A_constant_side_has_no_correlation()
    {
        double[] x = [1, 2, 3],
            flat = [7, 7, 7];
        double.IsNaN(RankCorrelation.Spearman(x, flat)).Should().BeTrue();
        double.IsNaN(RankCorrelation.KendallTauB(x, flat)).Should().BeTrue();
    }
}
