using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Objectives;

namespace Nas.Sandbox.Tests;

/// <summary>Hypervolume, non-dominated sorting and crowding distance against values computed by hand.</summary>
public sealed class ParetoTests
{
    private static IReadOnlyList<double>[] Points(params double[][] points) =>
        points.Select(p => (IReadOnlyList<double>)p).ToArray();

    [Fact]
    public void Hypervolume_2d_of_a_staircase()
    {
        // Maximised; reference (0, 0). Union of boxes [0,3]x[0,1], [0,2]x[0,2], [0,1]x[0,3]: 3 + 2 + 1 (overlaps removed) = 6.
        Hypervolume.Of(Points([3, 1], [2, 2], [1, 3]), [0, 0]).Should().BeApproximately(6, 1e-12);
        // A dominated point and a duplicate add nothing.
        Hypervolume.Of(Points([3, 1], [2, 2], [1, 3], [1, 1], [2, 2]), [0, 0]).Should().BeApproximately(6, 1e-12);
        // Reference (1, 0.5): boxes [1,3]x[0.5,1] and [1,2]x[0.5,2]; the strip above y=1 is new: (3-1)(1-0.5) + (2-1)(2-1) = 2.
        Hypervolume.Of(Points([3, 1], [2, 2]), [1, 0.5]).Should().BeApproximately(2, 1e-12);
        // Points not strictly better than the reference in every component count for nothing.
        Hypervolume.Of(Points([3, 0], [0, 3]), [0, 0]).Should().Be(0);
        Hypervolume.Of(Points(), [0, 0]).Should().Be(0);
    }

    [Fact]
    public void Hypervolume_3d_of_hand_computed_sets()
    {
        // One box.
        Hypervolume.Of(Points([1, 2, 3]), [0, 0, 0]).Should().BeApproximately(6, 1e-12);
        // Two boxes [0,2]x[0,1]x[0,1] and [0,1]x[0,2]x[0,1]: 2 + 2 - 1 = 3.
        Hypervolume.Of(Points([2, 1, 1], [1, 2, 1]), [0, 0, 0]).Should().BeApproximately(3, 1e-12);
        // Three unit-extended axes: (2,1,1), (1,2,1), (1,1,2): 2 + 2 + 2 - 3·1 + 1 = 4 (inclusion–exclusion).
        Hypervolume.Of(Points([2, 1, 1], [1, 2, 1], [1, 1, 2]), [0, 0, 0]).Should().BeApproximately(4, 1e-12);
        // Reference (1,1,1): only the part beyond it counts, and (1.5,1.5,1.5) lies inside (2,2,2)'s box: 1·1·1.
        Hypervolume.Of(Points([2, 2, 2], [1.5, 1.5, 1.5]), [1, 1, 1]).Should().BeApproximately(1, 1e-12);
    }

    [Fact]
    public void A_normalised_hypervolume_is_the_share_of_the_box_between_reference_and_ideal()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,params");
        var reference = new ParetoReference(objective.Components, [0, 2], "test");
        // Accuracy 0.5 at 1 M params: normalised (0.5, 0.5), a quarter of the box.
        reference
            .HypervolumeOf([
                [0.5, -1.0],
            ])
            .Should()
            .BeApproximately(0.25, 1e-12);
        // The ideal (accuracy 1, no parameters) fills the box; the reference itself adds nothing.
        reference
            .HypervolumeOf([
                [1.0, 0.0],
            ])
            .Should()
            .BeApproximately(1, 1e-12);
        reference
            .HypervolumeOf([
                [0.0, -2.0],
            ])
            .Should()
            .Be(0);
    }

    [Fact]
    public void Non_dominated_sort_finds_the_fronts_in_order()
    {
        // Maximised. 0:(1,5) 1:(2,4) 2:(3,3) are mutually non-dominated; 3:(1,3) is dominated by 0, 1 and 2; 4:(2,2) by 1
        // and 2; 3 and 4 are incomparable, so they form front 1; 5:(0,0) is dominated by everyone: front 2.
        var fronts = ParetoRanking.NonDominatedSort(Points([1, 5], [2, 4], [3, 3], [1, 3], [2, 2], [0, 0]));
        fronts.Should().HaveCount(3);
        fronts[0].Should().Equal(0, 1, 2);
        fronts[1].Should().Equal(3, 4);
        fronts[2].Should().Equal(5);
        ParetoRanking.NonDominated(Points([1, 5], [2, 4], [3, 3], [1, 3], [2, 2], [0, 0])).Should().Equal(0, 1, 2);
        ParetoRanking.NonDominatedSort(Points()).Should().BeEmpty();
    }

    [Fact]
    public void Equal_points_do_not_dominate_each_other()
    {
        ParetoRanking.Dominates([1, 1], [1, 1]).Should().BeFalse();
        ParetoRanking.Dominates([1, 2], [1, 1]).Should().BeTrue();
        ParetoRanking.NonDominatedSort(Points([1, 1], [1, 1]))[0].Should().Equal(0, 1);
    }

    [Fact]
    public void Crowding_distance_of_a_small_front()
    {
        // Sorted by x: (0,4) (1,3) (3,1) (4,0); x range 4, y range 4. Extremes infinite. (1,3): (3-0)/4 + (4-1)/4 = 1.5.
        // (3,1): (4-1)/4 + (3-0)/4 = 1.5. Move (3,1) to (2,2): (1,3): (2-0)/4 + (4-2)/4 = 1; (2,2): (4-1)/4 + (3-0)/4 = 1.5.
        var distance = ParetoRanking.CrowdingDistance(Points([0, 4], [3, 1], [1, 3], [4, 0]));
        distance[0].Should().Be(double.PositiveInfinity);
        distance[3].Should().Be(double.PositiveInfinity);
        distance[1].Should().BeApproximately(1.5, 1e-12);
        distance[2].Should().BeApproximately(1.5, 1e-12);
        var other = ParetoRanking.CrowdingDistance(Points([0, 4], [1, 3], [2, 2], [4, 0]));
        other[1].Should().BeApproximately(1.0, 1e-12);
        other[2].Should().BeApproximately(1.5, 1e-12);
        ParetoRanking.CrowdingDistance(Points([0, 1], [1, 0])).Should().OnlyContain(d => double.IsPositiveInfinity(d));
    }

    [Fact]
    public void Crowding_distance_of_a_three_objective_front_with_unequal_ranges()
    {
        // A non-dominated front; ranges 6, 10 and 0.5. Extremes: x gives 0 and 4, y gives 4 and 0, z gives 2 (0.1) and
        // 5 (0.6): those four are infinite. p1 (1,6,0.5): x between 0 and 2: 2/6; y between 4 and 7: 3/10; z between 0.4
        // and 0.6: 0.2/0.5; sum 1.0333. p3 (4,2,0.2): x between 3 and 6: 3/6; y between 0 and 4: 4/10; z between 0.1 and
        // 0.3: 0.2/0.5; sum 1.3.
        var distance = ParetoRanking.CrowdingDistance(
            Points([0, 10, 0.3], [1, 6, 0.5], [3, 7, 0.1], [4, 2, 0.2], [6, 0, 0.4], [2, 4, 0.6])
        );
        foreach (int extreme in new[] { 0, 2, 4, 5 })
            distance[extreme].Should().Be(double.PositiveInfinity);
        distance[1].Should().BeApproximately(2.0 / 6 + 3.0 / 10 + 0.2 / 0.5, 1e-12);
        distance[3].Should().BeApproximately(3.0 / 6 + 4.0 / 10 + 0.2 / 0.5, 1e-12);
    }

    [Fact]
    public void A_point_dominated_only_by_the_first_front_is_in_the_second_however_many_dominate_it()
    {
        // 1 (5,0,0), 3 (0,5,0), 5 (0,0,5) are non-dominated. 2 and 6, both (−1,−1,−1), are dominated by all three and 4
        // (4,−1,−3) by 1 alone, and not by one another: all in front 1 (counting dominators would put them apart).
        // 0 (−2,−2,−2) is dominated by 2 and 6 too: front 2.
        var fronts = ParetoRanking.NonDominatedSort(
            Points([-2, -2, -2], [5, 0, 0], [-1, -1, -1], [0, 5, 0], [4, -1, -3], [0, 0, 5], [-1, -1, -1])
        );
        fronts.Should().HaveCount(3);
        fronts[0].Should().Equal(1, 3, 5);
        fronts[1].Should().Equal(2, 4, 6);
        fronts[2].Should().Equal(0);
    }
}
