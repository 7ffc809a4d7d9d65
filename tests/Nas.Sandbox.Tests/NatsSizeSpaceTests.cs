using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.ZeroCost;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// NATS-Bench's size space: 8^5 channel choices, NATS-Bench's string form, the moves strategies make, a network of
/// exactly DynamicShapeTinyNet's layers (checked by counting its parameters by hand), trained by the training estimator
/// and scored by a zero-cost proxy on the Fashion-MNIST subset, and its picture.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class NatsSizeSpaceTests
{
    private readonly NatsSizeSpace _space = new();

    [Fact]
    public void It_has_8_to_the_5_architectures_keyed_as_nats_bench_keys_them()
    {
        _space.Size.Should().Be(32768);
        _space.Operations.Should().Equal("8", "16", "24", "32", "40", "48", "56", "64");
        var largest = _space.Parse("64:64:64:64:64");
        largest.Choices.Should().Equal("64", "64", "64", "64", "64");
        largest.Key.Should().Be("64:64:64:64:64");
        _space.Contains(largest).Should().BeTrue();
        _space
            .Encode(_space.Parse("8:16:24:32:64"))
            .Should()
            .HaveCount(40)
            .And.HaveElementAt(0, 1f)
            .And.HaveElementAt(39, 1f);
    }

    [Theory]
    [InlineData("64:64:64:64", 11)]
    [InlineData("64:64:64:64:64:64", 12)]
    [InlineData("64:12:64:64:64", 3)]
    [InlineData("", 0)]
    public void A_key_that_does_not_parse_names_the_position(string key, int position)
    {
        var parse = () => _space.Parse(key);
        parse.Should().Throw<ArchitectureFormatException>().Which.Position.Should().Be(position);
    }

    [Fact]
    public void Moves_stay_in_the_space_and_change_what_they_promise() =>
        SpaceTestKit.MovesStayInTheSpaceAndChangeWhatTheyPromise(_space, mutations: 50);

    /// <summary>DynamicShapeTinyNet's parameters for one input channel and ten classes, layer by layer.</summary>
    private static long HandCount(int[] c)
    {
        static long ConvBn(long i, long o, long k) => k * k * i * o + 2 * o;
        static long Cell(long i, long o) =>
            2 * ConvBn(i, o, 3) // 1←0, 2←0
            + 3 * ConvBn(o, o, 3) // 2←1, 3←1, 3←2
            + (i == o ? 0 : ConvBn(i, o, 1)); // 3←0 skip_connect: a 1×1 conv-BN when the width changes
        static long Reduction(long i, long o) => ConvBn(i, o, 3) + ConvBn(o, o, 3) + i * o;
        return 9L * c[0]
            + 2 * c[0]
            + Cell(c[0], c[0])
            + Reduction(c[0], c[1])
            + Cell(c[1], c[2])
            + Reduction(c[2], c[3])
            + Cell(c[3], c[4])
            + 2 * c[4]
            + 10L * c[4]
            + 10;
    }

    [Theory]
    [InlineData("64:64:64:64:64")]
    [InlineData("16:8:24:40:8")]
    [InlineData("8:8:8:8:8")]
    public void Its_network_is_dynamic_shape_tiny_net_parameter_for_parameter(string key)
    {
        var architecture = _space.Parse(key);
        using var network = new NatsSizeSpaceProvider().BuildNetwork(architecture, SpaceTestKit.Shape(16));
        var cost = ModelCounter.Count(network, 1, 28);
        cost.Parameters.Should().Be(HandCount(NatsSizeSpace.LayerChannels(architecture)));
        using var scope = NewDisposeScope();
        network.call(zeros(2, 1, 28, 28)).shape.Should().Equal(2, 10);
    }

    private static readonly TrainingSettings Tiny = new()
    {
        Epochs = 1,
        TrainingImages = 300,
        ValidationImages = 100,
        BatchSize = 32,
    };

    [Fact]
    public void The_training_estimator_trains_it_and_a_proxy_scores_it()
    {
        using var host = SpaceTestKit.Host();
        string dataset = SpaceTestKit.Dataset;
        var architecture = host.CreateSpace("nats-size").Parse("16:8:24:8:16");
        var request = new EvaluationRequest { Seed = 2, DataSeed = 2 };

        var trainer = (TrainingEstimator)host.CreateEstimator("train", dataset, Tiny, "cpu", "nats-size");
        var trained = trainer.Evaluate(architecture, request);
        trained.Status.Should().Be(TrialStatus.Ok, trained.Message);
        trained.Metrics.Parameters.Should().Be(HandCount([16, 8, 24, 8, 16]));
        trained.Metrics.Flops.Should().BePositive();
        trained.Metrics.ValidationAccuracy.Should().BeInRange(0, 1);

        var proxy = (ZeroCostEstimator)host.CreateEstimator("synflow", dataset, Tiny, "cpu", "nats-size");
        var scored = proxy.Evaluate(architecture, request);
        scored.Status.Should().Be(TrialStatus.Ok, scored.Message);
        double.IsFinite(scored.Metrics.Score!.Value).Should().BeTrue("synflow scores the untrained network");
        scored.Metrics.Parameters.Should().Be(trained.Metrics.Parameters);
    }

    [Fact]
    public void It_is_drawn_as_one_bar_per_layer_and_refuses_operations()
    {
        var provider = new NatsSizeSpaceProvider();
        provider
            .Draw(_space.Parse("64:8:16:24:32"), 80)
            .Should()
            .Equal(
                "stem+cell 64 ████████",
                "reduce     8 █",
                "cell      16 ██",
                "reduce    24 ███",
                "cell      32 ████"
            );
        var refuse = () => provider.CreateSpace(["none", "nor_conv_3x3"]);
        refuse.Should().Throw<ArgumentException>().WithMessage("*channel counts*");
    }
}
