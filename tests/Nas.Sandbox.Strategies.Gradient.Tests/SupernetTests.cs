using Nas.Sandbox.Core.Spaces;
using TorchSharp.Modules;

namespace Nas.Sandbox.Strategies.Gradient.Tests;

/// <summary>What DARTS and GDAS share: the supernet's batch norms and NAS-Bench-201's optimiser settings.</summary>
public sealed class SupernetTests
{
    /// <summary>Non-affine, without running statistics (NB201's search cells).</summary>
    private static bool SearchMode(BatchNorm bn) =>
        bn.weight is null && bn.bias is null && bn.running_mean is null && bn.running_var is null;

    /// <summary>Affine, with running statistics (PyTorch's defaults).</summary>
    private static bool Standard(BatchNorm bn) =>
        bn.weight is not null && bn.bias is not null && bn.running_mean is not null && bn.running_var is not null;

    [Fact]
    public void The_supernet_s_cell_operations_have_non_affine_batch_norms_without_running_statistics_the_skeleton_keeps_its_own()
    {
        using var data = TestKit.Data();
        var factory = new DartsFactory();
        using var darts = (Darts)factory.Create(TestKit.Knobs(factory));
        darts.TrainUntil(TestKit.Kit(data), new Nb201Space().Operations, 0);
        var network = darts.State!.Network;
        var inCells = network
            .modules()
            .OfType<SearchCell>()
            .SelectMany(c => c.modules().OfType<BatchNorm>())
            .ToHashSet();
        var all = network.modules().OfType<BatchNorm>().ToArray();

        // Per cell: nor_conv_1x1 and nor_conv_3x3 on each of the 6 edges (skip_connect is an identity, avg_pool has none).
        inCells.Should().HaveCount(3 * 6 * 2).And.OnlyContain(bn => SearchMode(bn));
        // The stem, the two residual reduction blocks (two each) and the last batch norm: affine, with running statistics, as NB201's search models.
        all.Except(inCells).Should().HaveCount(1 + 2 * 2 + 1).And.OnlyContain(bn => Standard(bn));
    }

    [Fact]
    public void Darts_builds_and_trains_a_supernet_of_the_darts_operations_and_se_block_in_search_mode()
    {
        using var data = TestKit.Data();
        var factory = new DartsFactory();
        using var darts = (Darts)factory.Create(TestKit.Knobs(factory));
        string[] operations = ["none", "skip_connect", "sep_conv_3x3", "dil_conv_5x5", "se_block"];
        darts.TrainUntil(TestKit.Kit(data), operations, 2);
        darts.TrainingLosses.Should().HaveCount(2).And.OnlyContain(l => double.IsFinite(l));
        darts.ArchitectureWeights().Should().HaveCount(6).And.OnlyContain(row => row.Length == operations.Length);
        var inCells = darts
            .State!.Network.modules()
            .OfType<SearchCell>()
            .SelectMany(c => c.modules().OfType<BatchNorm>())
            .ToArray();
        // Per cell and edge: sep_conv's two batch norms and dil_conv's one (se_block has none at stride 1).
        inCells.Should().HaveCount(3 * 6 * 3).And.OnlyContain(bn => SearchMode(bn));
    }

    [Fact]
    public void The_defaults_are_nas_bench_201_s_search_configs()
    {
        var darts = (Darts)new DartsFactory().Create(TestKit.Knobs(new DartsFactory()));
        darts
            .Settings.Should()
            .BeEquivalentTo(
                new
                {
                    StepsPerAsk = 4,
                    Epochs = 50,
                    LearningRate = 0.025,
                    LearningRateMin = 0.001,
                    Momentum = 0.9,
                    Nesterov = true,
                    WeightDecay = 5e-4,
                    GradientClip = 5.0,
                    ArchLearningRate = 3e-4,
                    ArchWeightDecay = 1e-3,
                },
                o => o.ExcludingMissingMembers()
            );
        var cosine = new CosineSchedule(0.025, 0.001, 50);
        cosine.At(0).Should().Be(0.025);
        cosine.At(25).Should().BeApproximately(0.013, 1e-12);
        cosine.At(49).Should().BeApproximately(0.001 + 0.024 * (1 + Math.Cos(Math.PI * 49 / 50)) / 2, 1e-15);
        cosine.At(50).Should().Be(0.001);
        var refused = () => new DartsFactory().Create(TestKit.Knobs(new DartsFactory(), ("learning-rate-min", "0.1")));
        refused.Should().Throw<Abstractions.KnobException>().WithMessage("*learning-rate-min*learning-rate*");
    }
}
