using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// NSGA-II's elitist selection and crowded tournament (Deb et al. 2002), checked on a hand-computed front: the told
/// cells are far apart, so each child (crossover off, one mutation) names the parent it was bred from.
/// </summary>
public sealed class Nsga2SelectionTests
{
    private static readonly Nb201Space Space = new();

    [Fact]
    public void Selection_keeps_the_best_ranks_and_cuts_the_last_front_by_crowding_and_tournaments_prefer_the_less_crowded()
    {
        var strategy = Create(
            "nsga-ii",
            ("population", "4"),
            ("tournament", "2"),
            ("crossover", "0"),
            ("mutations", "1")
        );
        var cells = FarApart(Space, 8);
        // Both objectives maximised. Generation 0: (0,6) (1,5) (1,1) (2,2); generation 1: (3,4) (5,1) (6,0) (0.5,0.5).
        double[][] objectives =
        [
            [0, 6],
            [1, 5],
            [1, 1],
            [2, 2],
            [3, 4],
            [5, 1],
            [6, 0],
            [0.5, 0.5],
        ];
        for (int i = 0; i < 8; i++)
            strategy.Tell(Ok(i, cells[i], objectives[i][0], objectives[i]));

        // Parents ∪ children: front 0 is (0,6) (1,5) (3,4) (5,1) (6,0), five for four places. Crowding over ranges 6 and 6:
        // the extremes (0,6) and (6,0) are infinite; (1,5): (3−0)/6 + (6−4)/6 = 0.833; (3,4): (5−1)/6 + (5−1)/6 = 1.333;
        // (5,1): (6−3)/6 + (4−0)/6 = 1.167. The most crowded, (1,5), is cut; (1,1), (2,2) and (0.5,0.5) are dominated.
        // Among the survivors, crowding is (0,6) ∞, (3,4) (5−0)/6 + (6−1)/6 = 1.667, (5,1) (6−3)/6 + (4−0)/6 = 1.167,
        // (6,0) ∞; a binary tournament with replacement over one rank picks (5,1) only against itself (1/16), (3,4)
        // against itself or (5,1) (3/16), and each infinite one with probability 6/16.
        var parents = cells.ToDictionary(c => c, _ => 0);
        for (int i = 0; i < 800; i++)
        {
            var child = strategy.Ask(Context(Space, 8, new Random(i)));
            var parent = cells.SingleOrDefault(c => Distance(c, child) == 1);
            parent.Should().NotBeNull($"ask {i}: {child} is no one-edge mutation of a told cell");
            parents[parent!]++;
        }
        foreach (int cut in new[] { 1, 2, 3, 7 })
            parents[cells[cut]].Should().Be(0, $"({string.Join(",", objectives[cut])}) did not survive");
        parents[cells[0]].Should().BeInRange(240, 360);
        parents[cells[6]].Should().BeInRange(240, 360);
        parents[cells[4]].Should().BeInRange(105, 200, "3/16 of 800 = 150");
        parents[cells[5]].Should().BeInRange(25, 80, "1/16 of 800 = 50: crowding ignored would give it 200");
    }
}
