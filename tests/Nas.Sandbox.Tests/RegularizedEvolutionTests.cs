using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What makes regularized evolution itself (Real et al. 2019, Algorithm 1; NAS-Bench-201's R_EA.py): the oldest member
/// dies, not the worst; the parent is the best of a tournament drawn with replacement; the population starts as random
/// cells; children may repeat. The told cells are far apart, so each child (one edge mutated) names its parent.
/// </summary>
public sealed class RegularizedEvolutionTests
{
    private static readonly Nb201Space Space = new();

    /// <summary>The told cell a child is one mutation away from, or null when it is a neighbour of none of them.</summary>
    private static Architecture? ParentOf(Architecture child, IEnumerable<Architecture> told) =>
        told.SingleOrDefault(t => Distance(child, t) == 1);

    private static Dictionary<Architecture, int> Parents(IStrategy strategy, Architecture[] told, int asks, int seed)
    {
        var counts = told.ToDictionary(t => t, _ => 0);
        for (int i = 0; i < asks; i++)
        {
            var child = strategy.Ask(Context(Space, told.Length, new Random(seed + i)));
            var parent = ParentOf(child, told);
            parent.Should().NotBeNull($"ask {i}: {child} is no one-edge mutation of a told cell");
            counts[parent!]++;
        }
        return counts;
    }

    [Fact]
    public void The_oldest_member_dies_even_when_it_is_the_best()
    {
        var strategy = Create("regularized-evolution", ("population", "3"), ("sample", "3"));
        var cells = FarApart(Space, 4);
        var (best, second, third, child) = (cells[0], cells[1], cells[2], cells[3]);
        strategy.Tell(Ok(0, best, 0.9));
        strategy.Tell(Ok(1, second, 0.5));
        strategy.Tell(Ok(2, third, 0.4));
        // Population full: a tournament of 3 drawn with replacement from 3 picks the best unless it is never drawn.
        var before = Parents(strategy, cells[..3], 1000, seed: 100);
        before[best].Should().BeInRange(650, 760, "P(best in 3 draws with replacement) = 1 − (2/3)³ = 19/27 ≈ 0.704");

        // A worse child arrives: the oldest member (the best) dies, not the worst (the child).
        strategy.Tell(Ok(3, child, 0.1));
        var after = Parents(strategy, cells, 1000, seed: 2000);
        after[best].Should().Be(0, "the best cell left the population by age and can no longer be a parent");
        // Tournament with replacement over {second 0.5, third 0.4, child 0.1}: 19/27, 7/27 and 1/27.
        after[second].Should().BeInRange(650, 760);
        after[third].Should().BeInRange(210, 310, "7/27 ≈ 0.259: a tournament without replacement would never pick it");
        after[child].Should().BeInRange(15, 65, "1/27 ≈ 0.037: the worst wins only a tournament it fills alone");
    }

    [Fact]
    public void The_population_starts_as_random_cells_and_failed_trials_neither_join_it_nor_age_it()
    {
        var strategy = Create("regularized-evolution", ("population", "3"));
        var cells = FarApart(Space, 6);
        strategy.Tell(Ok(0, cells[0], 0.9));
        strategy.Tell(Failed(1, cells[1]));
        strategy.Tell(Ok(2, cells[2], 0.5));
        // Two ok members of three: asks are uniform samples, not mutations (a sample is a neighbour of one of these two
        // cells with probability 2·24/15625).
        var samples = Enumerable.Range(0, 200).Select(i => strategy.Ask(Context(Space, 3, new Random(i)))).ToArray();
        samples.Count(a => ParentOf(a, [cells[0], cells[2]]) is not null).Should().BeLessThan(5);
        samples.Distinct().Count().Should().BeGreaterThan(190);

        strategy.Tell(Ok(3, cells[3], 0.4));
        var full = Parents(strategy, cells[..4], 300, seed: 500);
        full[cells[1]].Should().Be(0, "a failed trial is not a member");
        full[cells[0]].Should().BeGreaterThan(150, "the best member, still alive, wins most tournaments");

        // A failed child ages no one out: the best is still a parent. An ok one does: the best is gone.
        strategy.Tell(Failed(4, cells[4]));
        Parents(strategy, cells[..5], 300, seed: 900)[cells[0]].Should().BeGreaterThan(150);
        strategy.Tell(Ok(5, cells[5], 0.1));
        Parents(strategy, cells, 300, seed: 1300)[cells[0]].Should().Be(0);
    }

    [Fact]
    public async Task Children_may_repeat_by_default_as_in_the_paper_and_distinct_redraws_them()
    {
        // 729 cells; accuracy grows with the 3x3 convolutions, so the population gathers around the best and its
        // mutants repeat. A repeat is served from the contestant's cache and counts as an evaluation.
        var space = new Nb201Space(["none", "skip_connect", "nor_conv_3x3"]);
        double Accuracy(Architecture a) => 0.1 + 0.1 * a.Choices.Count(c => c == "nor_conv_3x3") + HashScore(a) / 100;
        var paper = await Race(space, Accuracy, "regularized-evolution", budget: 80, heats: 3, seed: 5);
        var distinct = await Race(
            space,
            Accuracy,
            "regularized-evolution:distinct=true",
            budget: 80,
            heats: 3,
            seed: 5
        );
        foreach (var heat in paper)
        {
            heat.Should().HaveCount(80);
            heat.Count(t => t.FromCache).Should().BeGreaterThan(0);
            heat.Count(t => t.FromCache).Should().Be(heat.Count - heat.Select(t => t.Architecture).Distinct().Count());
        }
        paper.Sum(h => h.Count(t => t.FromCache)).Should().BeGreaterThan(20);
        foreach (var heat in distinct)
            heat.Count(t => t.FromCache).Should().Be(0);
    }

    private static SearchContext InFlight(
        int askIndex,
        Random random,
        params (int Index, Architecture Architecture)[] pending
    ) =>
        Context(Space, askIndex, random) with
        {
            Pending = pending
                .Select(p => new PendingTrial { Index = p.Index, Architecture = p.Architecture })
                .ToArray(),
        };

    [Fact]
    public void With_trials_in_flight_the_random_fill_counts_them_and_then_tournaments_are_among_the_finished_members_only()
    {
        var strategy = Create("regularized-evolution", ("population", "4"), ("sample", "3"));
        var cells = FarApart(Space, 4);
        // Nothing back: the first asks are uniform samples, however many are in flight (there is no one to breed from).
        var first = new List<Architecture>();
        for (int i = 0; i < 6; i++)
            first.Add(strategy.Ask(InFlight(i, new Random(i), first.Select((a, k) => (k, a)).ToArray())));
        first.Should().OnlyHaveUniqueItems();

        // Trials 1 and 0 came back (in that order); trial 2 is in flight: 2 + 1 < 4, so the fill goes on at random.
        strategy.Tell(Ok(1, cells[1], 0.5));
        strategy.Tell(Ok(0, cells[0], 0.9));
        var fill = Enumerable
            .Range(0, 200)
            .Select(i => strategy.Ask(InFlight(3, new Random(i), (2, cells[2]))))
            .ToArray();
        fill.Count(a => ParentOf(a, cells[..2]) is not null)
            .Should()
            .BeLessThan(5, "a sample is a neighbour of a told cell with probability 2·24/15625");
        fill.Distinct().Count().Should().BeGreaterThan(190);

        // Trials 2 and 3 in flight: 2 + 2 = 4, the population is spoken for. Every ask breeds from the two members back,
        // never from a cell in flight; sequentially (nothing in flight) these asks would still be random.
        var counts = cells.ToDictionary(c => c, _ => 0);
        for (int i = 0; i < 400; i++)
        {
            var child = strategy.Ask(InFlight(4, new Random(1000 + i), (2, cells[2]), (3, cells[3])));
            var parent = ParentOf(child, cells);
            parent.Should().NotBeNull($"ask {i}: {child} is no one-edge mutation of a cell");
            counts[parent!]++;
        }
        counts[cells[2]].Should().Be(0, "a trial in flight has no score to enter a tournament with");
        counts[cells[3]].Should().Be(0);
        counts[cells[0]]
            .Should()
            .BeInRange(320, 380, "P(the better of two members in 3 draws with replacement) = 1 − (1/2)³ = 7/8");
        var sequentially = strategy.Ask(Context(Space, 4, new Random(5)));
        ParentOf(sequentially, cells[..2])
            .Should()
            .BeNull(
                "with nothing in flight two members of four are a random fill again (this draw is next to neither)"
            );
    }
}
