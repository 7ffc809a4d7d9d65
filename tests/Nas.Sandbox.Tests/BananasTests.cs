using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Strategies.Field;

namespace Nas.Sandbox.Tests;

/// <summary>
/// BANANAS as its paper's reference code runs it. The strategy is raced through the loader, as races load it; its
/// acquisition and predictor are reached directly (the tests reference the field pack), because an ensemble whose
/// members disagree in a chosen way, or a predictor's error on a held-out set, cannot be set up or seen through
/// <see cref="IStrategy"/>.
/// </summary>
public sealed class BananasTests
{
    private static readonly Lazy<SandboxHost> Host = new(() => SandboxHost.Create(typeof(BananasTests).Assembly));

    private static IStrategy CreateBananas()
    {
        var factory = Host.Value.Strategies.Get("bananas").Factory;
        return factory.Create(KnobValues.Create("bananas", factory.Knobs));
    }

    /// <summary>Higher with more 3x3 convolutions and fewer `none` edges, with a small per-cell wobble.</summary>
    private static double Objective(Architecture architecture) =>
        0.1
        + 0.1 * architecture.Choices.Count(c => c == "nor_conv_3x3")
        - 0.05 * architecture.Choices.Count(c => c == "none")
        + (architecture.Key.Length % 11) / 1000.0;

    private static Trial Told(int index, Architecture architecture) =>
        new()
        {
            Index = index,
            Architecture = architecture,
            Status = TrialStatus.Ok,
            CostSeconds = 1,
            Metrics = new Metrics { ValidationAccuracy = Objective(architecture) },
            Objective = Objective(architecture),
        };

    /// <summary>Asks and tells <paramref name="asks"/> times; the first <paramref name="replayed"/> answers are given, not asked.</summary>
    private static List<Architecture> Run(
        IStrategy strategy,
        ISearchSpace space,
        int asks,
        IReadOnlyList<Architecture>? replayed = null
    )
    {
        var asked = new List<Architecture>();
        for (int index = 0; index < asks; index++)
        {
            var architecture =
                replayed is not null && index < replayed.Count
                    ? replayed[index]
                    : strategy.Ask(
                        new SearchContext
                        {
                            Space = space,
                            Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(4, "bananas", index))),
                            AskIndex = index,
                        }
                    );
            asked.Add(architecture);
            strategy.Tell(Told(index, architecture));
        }
        return asked;
    }

    private static int EditDistance(Architecture a, Architecture b) =>
        a.Choices.Zip(b.Choices).Count(p => p.First != p.Second);

    [Fact]
    public void After_the_initial_random_cells_it_proposes_new_close_mutants_of_the_best()
    {
        var space = new Nb201Space();
        var asked = Run(CreateBananas(), space, 20);
        var initial = asked.Take(10).ToList();
        var proposals = asked.Skip(10).ToList();
        // The reference mutates the best cell, and the next best (up to 5) while duplicates leave the pool short.
        var parents = initial.OrderByDescending(Objective).Take(MutationCandidates.PatienceFactor).ToList();

        proposals.Should().OnlyHaveUniqueItems().And.NotContain(initial);
        double meanDistance = proposals.Average(p => parents.Min(parent => EditDistance(p, parent)));
        // Mutants change each edge with probability 0.25: 1.8 edges on average once the parent itself is discarded.
        // Ten random cells would be about 3.5 edges from the nearest of five cells.
        meanDistance
            .Should()
            .BeLessThan(
                2.5,
                $"proposals: {string.Join(", ", proposals.Select(p => parents.Min(parent => EditDistance(p, parent))))}"
            );
    }

    /// <summary>NB201 as a space without <see cref="IPathEncoding"/>, as a space plugin might come.</summary>
    private sealed class SpaceWithoutPaths(Nb201Space inner) : ISearchSpace
    {
        public string Name => inner.Name;
        public long Size => inner.Size;
        public IReadOnlyList<string> Operations => inner.Operations;
        public int ChoiceCount => inner.ChoiceCount;

        public Architecture Sample(Random random) => inner.Sample(random);

        public Architecture Mutate(Architecture parent, Random random) => inner.Mutate(parent, random);

        public Architecture Crossover(Architecture first, Architecture second, Random random) =>
            inner.Crossover(first, second, random);

        public IReadOnlyList<Architecture> Neighbours(Architecture center) => inner.Neighbours(center);

        public float[] Encode(Architecture architecture) => inner.Encode(architecture);

        public Architecture Parse(string key) => inner.Parse(key);

        public Architecture FromChoices(IReadOnlyList<string> choices) => inner.FromChoices(choices);

        public bool Contains(Architecture architecture) => inner.Contains(architecture);
    }

    [Fact]
    public void It_learns_from_the_path_encoding_when_the_space_offers_one_and_from_the_one_hot_encoding_otherwise()
    {
        var nb201 = new Nb201Space();
        var withPaths = Run(CreateBananas(), nb201, 30);
        // The same first ten cells: the candidates are the same mutants (the one-hot and the truncated path encodings
        // both have 30 features, so even the networks' random initialisation is the same); only the predictions differ.
        var withoutPaths = Run(
            CreateBananas(),
            new SpaceWithoutPaths(nb201),
            30,
            replayed: withPaths.Take(10).ToList()
        );

        withoutPaths.Take(10).Should().Equal(withPaths.Take(10));
        withoutPaths
            .Skip(10)
            .Should()
            .OnlyHaveUniqueItems()
            .And.OnlyContain(a => nb201.Contains(a))
            .And.NotContain(withPaths.Take(10));
        withoutPaths
            .Skip(10)
            .Take(10)
            .Should()
            .NotEqual(withPaths.Skip(10).Take(10), "the encodings lead the predictor to other picks");
    }

    [Fact]
    public void Thompson_sampling_picks_by_one_draw_from_each_candidates_ensemble_mean_and_spread()
    {
        // Candidate 0: the ensemble agrees on 0.5. Candidate 1: a lower mean (0.45) but a wide spread (0.283), so its
        // draw beats 0.5 with probability P(Z > 0.05 / 0.283) = 0.43. Candidate 2: every member scores it below
        // candidate 0's every member, and it has no spread: its draw (0.1) never beats candidate 0's (0.5).
        double[][] predictions =
        [
            [0.5, 0.5, 0.5, 0.5, 0.5],
            [0.05, 0.25, 0.45, 0.65, 0.85],
            [0.1, 0.1, 0.1, 0.1, 0.1],
        ];
        var firsts = new int[3];
        var random = new Random(7);
        const int rounds = 2000;
        for (int round = 0; round < rounds; round++)
        {
            var ranked = IndependentThompsonSampling.Pick(predictions, 3, random);
            ranked.Should().BeEquivalentTo([0, 1, 2]);
            firsts[ranked[0]]++;
        }
        firsts[2].Should().Be(0, "picking at random would put it first a third of the time");
        ((double)firsts[1] / rounds).Should().BeInRange(0.38, 0.48, "picking by the mean would never put it first");
        IndependentThompsonSampling.Pick(predictions, 1, random).Should().HaveCount(1);
    }

    [Fact]
    public void The_predictor_learns_a_function_of_binary_features_far_better_than_predicting_the_mean()
    {
        var random = new Random(11);
        const int features = 20;
        var weights = Enumerable.Range(0, features).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        (float[] Row, double Target) Example()
        {
            var row = Enumerable.Range(0, features).Select(_ => random.NextDouble() < 0.3 ? 1f : 0f).ToArray();
            double target = row.Select((x, i) => x * weights[i]).Sum() + 1.5 * row[0] * row[1] - 1.0 * row[2] * row[3];
            return (row, target);
        }
        var train = Enumerable.Range(0, 200).Select(_ => Example()).ToList();
        var test = Enumerable.Range(0, 300).Select(_ => Example()).ToList();

        // The reference's network and training: 10 hidden layers of 20 units, 150 epochs of batches of 32, Adam at 0.01.
        var predictor = new NeuralPredictor(features, 20, 10, new Random(1));
        predictor.Fit(
            train.Select(e => e.Row).ToList(),
            train.Select(e => e.Target).ToList(),
            epochs: 150,
            batchSize: 32,
            learningRate: 0.01,
            new Random(2)
        );

        double mean = train.Average(e => e.Target);
        double baseline = test.Average(e => Math.Abs(e.Target - mean));
        double error = test.Average(e => Math.Abs(e.Target - predictor.Predict(e.Row)));
        error
            .Should()
            .BeLessThan(0.4 * baseline, $"held-out MAE {error:0.000} against {baseline:0.000} for the training mean");
    }

    /// <summary>Asks <paramref name="count"/> times in a row, nothing told, each ask seeing the earlier ones in flight.</summary>
    private static List<Architecture> AskInARow(IStrategy strategy, ISearchSpace space, int firstIndex, int count)
    {
        var pending = new List<PendingTrial>();
        for (int index = firstIndex; index < firstIndex + count; index++)
        {
            var answer = strategy.Ask(
                new SearchContext
                {
                    Space = space,
                    Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(4, "bananas", index))),
                    AskIndex = index,
                    Pending = pending.ToArray(),
                }
            );
            pending.Add(new PendingTrial { Index = index, Architecture = answer });
        }
        return pending.Select(p => p.Architecture).ToList();
    }

    [Fact]
    public void Asks_in_a_row_with_trials_in_flight_are_the_top_candidates_in_descending_order_of_the_acquisition()
    {
        var space = new Nb201Space();
        // Sequentially, the batch after the ten random cells: the ranking's first six, best first.
        var sequential = Run(CreateBananas(), space, 16);
        var initial = sequential.Take(10).ToList();
        var topSix = sequential.Skip(10).ToList();

        // Six asks in a row after the same ten results, nothing new told: the same six, in the same order.
        var parallel = CreateBananas();
        Run(parallel, space, 10, replayed: initial);
        AskInARow(parallel, space, 10, 6).Should().Equal(topSix);

        // With batch=3 the ranking is the same (it does not depend on the batch): six asks in a row go on down it past
        // the batch rather than falling back to random cells.
        var small = StrategyTestKit.Create("bananas", ("batch", "3"));
        Run(small, space, 10, replayed: initial);
        AskInARow(small, space, 10, 6).Should().Equal(topSix);
    }
}
