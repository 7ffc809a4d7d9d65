using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Strategies.Gradient;

namespace Nas.Sandbox.Tests;

/// <summary>DARTS and GDAS (the built-in gradient pack) on a tiny real task: they learn, and GDAS anneals as GDAS does.</summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class GradientStrategyTests
{
    private static RaceTrainingData Data(int batch = 32) => new(() => TestData.FashionMnistSubset, OperationRegistry.CreateDefault(),
        new TrainingSettings { TrainingImages = 256, ValidationImages = 128, Channels = 8, CellsPerStage = 1, BatchSize = batch });

    private static SearchContext Context(ISearchSpace space, ITrainingKit? kit, int index = 0) =>
        new() { Space = space, Random = new Random(index), AskIndex = index, Training = kit };

    [Fact]
    public void Darts_lowers_its_supernet_loss_moves_alpha_and_proposes_its_argmax()
    {
        using var data = Data();
        var space = new Nb201Space(["none", "nor_conv_3x3"]);
        var knobs = KnobValues.Create("darts", new DartsFactory().Knobs, new Dictionary<string, string>
        {
            ["steps-per-ask"] = "40", ["arch-learning-rate"] = "0.01",
        });
        using var darts = (Darts)new DartsFactory().Create(knobs);
        darts.ArchitectureWeights().Should().BeEmpty("nothing is built before the first Ask");
        var proposal = darts.Ask(Context(space, data.KitFor(1, new Fidelity(), 3)));

        darts.Rounds.Should().Be(40);
        var losses = darts.TrainingLosses;
        losses.Take(10).Average().Should().BeGreaterThan(losses.Skip(30).Average() + 0.1, "the supernet learns the task");
        // α starts at 1e-3 × N(0, 1); 40 Adam steps at 0.01 must have moved it well beyond that on most edges.
        // (Which way is DARTS's business: on this tiny task it often prefers `none`, the known collapse to parameter-free ops.)
        var alpha = darts.ArchitectureWeights();
        alpha.Count(row => Math.Abs(row[1] - row[0]) > 0.05).Should().BeGreaterThanOrEqualTo(4,
            $"α per edge: {string.Join("; ", alpha.Select(r => string.Join(", ", r.Select(v => v.ToString("0.000")))))}");
        proposal.Choices.Should().Equal(alpha.Select(row => row[1] > row[0] ? "nor_conv_3x3" : "none"));
        space.Contains(proposal).Should().BeTrue();
    }

    [Fact]
    public void Gdas_temperature_falls_linearly_from_tau_max_to_tau_min_then_stays()
    {
        var schedule = new TemperatureSchedule(10, 0.1, 100);
        schedule.At(0).Should().Be(10);
        schedule.At(50).Should().BeApproximately(5.05, 1e-12);
        schedule.At(100).Should().BeApproximately(0.1, 1e-12);
        schedule.At(1000).Should().Be(0.1);
        Enumerable.Range(0, 101).Select(schedule.At).Should().BeInDescendingOrder();
        var factory = new GdasFactory();
        var gdas = (Gdas)factory.Create(KnobValues.Create("gdas", factory.Knobs));
        gdas.Temperature.Should().Be(new TemperatureSchedule(10, 0.1, 790), "GDAS's 10 → 0.1, over ten default epochs");
        var refused = () => factory.Create(KnobValues.Create("gdas", factory.Knobs, new Dictionary<string, string> { ["tau-min"] = "20" }));
        refused.Should().Throw<KnobException>().WithMessage("*tau-min*tau-max*");
    }

    [Fact]
    public void Gdas_trains_and_proposes_the_argmax_of_its_architecture_parameters()
    {
        using var data = Data();
        var space = new Nb201Space();
        var factory = new GdasFactory();
        using var gdas = (Gdas)factory.Create(KnobValues.Create("gdas", factory.Knobs, new Dictionary<string, string> { ["steps-per-ask"] = "3" }));
        var kit = data.KitFor(1, new Fidelity(), 3);
        gdas.Ask(Context(space, kit, 0));
        var proposal = gdas.Ask(Context(space, kit, 2)); // a skipped index: it catches up to (2 + 1) × 3 rounds
        gdas.Rounds.Should().Be(9);
        gdas.TrainingLosses.Should().OnlyContain(l => double.IsFinite(l) && l > 0);
        var alpha = gdas.ArchitectureWeights();
        proposal.Choices.Should().Equal(alpha.Select(row => space.Operations[Array.IndexOf(row, row.Max())]));
    }

    [Fact]
    public void Without_the_race_s_data_darts_says_what_it_needs()
    {
        var darts = new DartsFactory().Create(KnobValues.Create("darts", new DartsFactory().Knobs));
        var ask = () => darts.Ask(Context(new Nb201Space(), null));
        ask.Should().Throw<InvalidOperationException>().WithMessage("darts needs the race's training data*");
    }
}
