using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.StrategyTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What makes local search itself (White, Nolen &amp; Savani's <c>local_search</c>): each (re)start evaluates
/// <c>initial</c> random cells and walks from the best; the walk moves to the first better neighbour, not the best one;
/// at a local optimum it restarts. Raced by the referee on a rugged landscape (a distinct pseudo-random score per cell)
/// over 729 cells, and checked against the algorithm's states, trial by trial.
/// </summary>
public sealed class LocalSearchTests
{
    private static readonly Nb201Space Space = new(["none", "skip_connect", "nor_conv_3x3"]);

    private sealed record Walked(
        int Restarts,
        int Moves,
        int MovesBeforeTheNeighbourhoodWasDone,
        int SampleFollowers,
        int SampleNeighbours
    );

    /// <summary>
    /// Follows one heat through the algorithm's states and fails at the first trial the algorithm would not have asked:
    /// in a (re)start, a cell not evaluated before; on a walk, a neighbour of the centre not evaluated before.
    /// </summary>
    private static Walked Follow(IReadOnlyList<Trial> trials, int initial)
    {
        var evaluated = new HashSet<Architecture>();
        var sample = new List<Trial>();
        Trial? centre = null;
        int restarts = 0,
            moves = 0,
            early = 0,
            followers = 0,
            neighbours = 0;
        foreach (var trial in trials)
        {
            var cell = trial.Architecture;
            evaluated.Should().NotContain(cell, $"trial {trial.Index} repeats a cell");
            if (centre is null)
            {
                // A random sample, not a walk: a cell next to an earlier one of its sample is rare (at most 9·12 of 729).
                if (sample.Count > 0)
                    followers++;
                if (sample.Any(t => Distance(t.Architecture, cell) == 1))
                    neighbours++;
                sample.Add(trial);
                if (sample.Count == initial)
                {
                    centre = sample.MaxBy(t => t.Objective!.Value);
                    sample.Clear();
                }
            }
            else
            {
                Space
                    .Neighbours(centre.Architecture)
                    .Should()
                    .Contain(
                        cell,
                        $"trial {trial.Index} must be a neighbour of the centre {centre.Architecture} (index {centre.Index})"
                    );
                if (trial.Objective > centre.Objective)
                {
                    moves++;
                    if (!Space.Neighbours(centre.Architecture).All(a => a == cell || evaluated.Contains(a)))
                        early++;
                    centre = trial;
                }
            }
            evaluated.Add(cell);
            if (centre is not null && Space.Neighbours(centre.Architecture).All(evaluated.Contains))
            {
                centre = null;
                restarts++;
            }
        }
        return new Walked(restarts, moves, early, followers, neighbours);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1)]
    [InlineData(4)]
    public async Task It_walks_by_first_improvement_from_the_best_of_a_random_sample_and_restarts_at_local_optima(
        int initial
    )
    {
        string contestant = initial == 10 ? "local-search" : $"local-search:initial={initial}"; // 10 is the default
        var heats = await Race(Space, HashScore, contestant, budget: 150, heats: 4, seed: 3);
        var walks = heats.Select(h => Follow(h, initial)).ToArray();
        walks.Should().OnlyContain(w => w.Restarts >= 1, "150 evaluations on a rugged landscape reach local optima");
        walks.Sum(w => w.Moves).Should().BeGreaterThan(8);
        // Moves taken while the centre still had untried neighbours: the first better one is taken at once.
        walks.Sum(w => w.MovesBeforeTheNeighbourhoodWasDone).Should().BeGreaterThan(4);
        // The sample is drawn at random: a walk from its first cell (initial=1 under another name) would be caught here.
        walks.Sum(w => w.SampleNeighbours).Should().BeLessThan(Math.Max(1, walks.Sum(w => w.SampleFollowers) / 5));
    }

    [Fact]
    public async Task The_first_walk_starts_at_the_best_of_the_first_ten_cells()
    {
        var heats = await Race(Space, HashScore, "local-search", budget: 11, heats: 10, seed: 8);
        foreach (var heat in heats)
        {
            var best = heat.Take(10).MaxBy(t => t.Objective!.Value)!;
            heat.Take(10).Select(t => t.Architecture).Distinct().Should().HaveCount(10);
            // Random cells, not a walk from the first: few are next to an earlier one (9·12 of 729 at most for the last).
            Enumerable
                .Range(1, 9)
                .Count(i => heat.Take(i).Any(t => Distance(t.Architecture, heat[i].Architecture) == 1))
                .Should()
                .BeLessThan(4);
            // A walk from the first, the last or a random one of the ten would miss in most of these heats.
            Space.Neighbours(best.Architecture).Should().Contain(heat[10].Architecture);
        }
    }

    [Fact]
    public void With_trials_in_flight_it_walks_several_neighbours_of_the_centre_at_once_and_moves_on_the_first_better_result()
    {
        var starts = Enumerable.Range(0, 3).Select(i => Uniform(Space, i)).ToArray(); // 6 edges apart
        IStrategy Started()
        {
            var strategy = Create("local-search", ("initial", "3"));
            strategy.Tell(Ok(0, starts[0], 0.3));
            strategy.Tell(Ok(1, starts[1], 0.6)); // the centre
            strategy.Tell(Ok(2, starts[2], 0.5));
            return strategy;
        }
        var centre = starts[1];

        // Sequentially, with every neighbour worse: the order the walk tries the centre's neighbours in.
        var sequential = Started();
        var order = new List<Architecture>();
        for (int i = 0; i < 5; i++)
        {
            order.Add(sequential.Ask(Context(Space, 3 + i, new Random(i))));
            sequential.Tell(Ok(3 + i, order[^1], 0.1));
        }

        // Five asks in a row, nothing told: five distinct neighbours of the same centre, the five the walk tries first.
        var strategy = Started();
        var pending = new List<PendingTrial>();
        int nextIndex = 3;
        Architecture Ask()
        {
            int index = nextIndex++;
            var answer = strategy.Ask(Context(Space, index, new Random(index)) with { Pending = pending.ToArray() });
            pending.Add(new PendingTrial { Index = index, Architecture = answer });
            return answer;
        }
        var batch = Enumerable.Range(0, 5).Select(_ => Ask()).ToArray();
        batch.Should().Equal(order).And.OnlyHaveUniqueItems();
        Space.Neighbours(centre).Should().Contain(batch);

        // The third comes back better: the walk moves there at once, with four of the old neighbours still in flight.
        strategy.Tell(Ok(5, batch[2], 0.9));
        pending.RemoveAll(p => p.Architecture == batch[2]);
        var next = Ask();
        Space.Neighbours(batch[2]).Should().Contain(next);
        batch.Should().NotContain(next, "the old neighbours still in flight are skipped");
        // A later result better than the old centre but not the new one moves nothing; one better than the new one does.
        strategy.Tell(Ok(3, batch[0], 0.7));
        pending.RemoveAll(p => p.Architecture == batch[0]);
        Space.Neighbours(batch[2]).Should().Contain(Ask());
        strategy.Tell(Ok(7, batch[4], 0.95));
        pending.RemoveAll(p => p.Architecture == batch[4]);
        Space.Neighbours(batch[4]).Should().Contain(Ask());
    }

    [Fact]
    public void When_the_whole_neighbourhood_is_in_flight_a_free_worker_draws_a_random_cell()
    {
        var strategy = Create("local-search", ("initial", "1"));
        var centre = Uniform(Space, 2);
        strategy.Tell(Ok(0, centre, 0.5));
        var pending = new List<PendingTrial>();
        for (int i = 0; i < 13; i++)
        {
            var answer = strategy.Ask(Context(Space, 1 + i, new Random(i)) with { Pending = pending.ToArray() });
            pending.Add(new PendingTrial { Index = 1 + i, Architecture = answer });
        }
        var asked = pending.Select(p => p.Architecture).ToArray();
        asked
            .Take(12)
            .Should()
            .BeEquivalentTo(Space.Neighbours(centre), "the 12 neighbours (6 edges × 2 other operations) go out first");
        asked[12]
            .Should()
            .NotBe(centre)
            .And.Match<Architecture>(a => !asked.Take(12).Contains(a), "the 13th is a fresh random cell");
    }
}
