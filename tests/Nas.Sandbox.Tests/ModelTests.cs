using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

[Collection(TorchGeneratorLane.Name)]
public class ModelTests
{
    private readonly Nb201Space _space = new();
    private readonly OperationRegistry _operations = OperationRegistry.CreateDefault();

    private static string Uniform(string op) => $"|{op}~0|+|{op}~0|{op}~1|+|{op}~0|{op}~1|{op}~2|";

    // NAS-Bench-201 (C=16, N=5, 3×32×32, 10 classes) publishes 1,531,546 parameters for the all-nor_conv_3x3 cell and
    // 73,306 for the all-none cell. Parameters are additive per edge in NB201 (none, skip_connect and avg_pool_3x3 add
    // none; nor_conv_1x1 adds C²+2C per cell, nor_conv_3x3 9C²+2C, for C = 16, 32, 64 over 5 cells each), which gives
    // the mixed values: +243,040 per nor_conv_3x3 edge, +28,000 per nor_conv_1x1 edge.
    [Theory]
    [InlineData("none", 73_306)]
    [InlineData("nor_conv_3x3", 1_531_546)]
    [InlineData("skip_connect", 73_306)]
    [InlineData("avg_pool_3x3", 73_306)]
    [InlineData("nor_conv_1x1", 73_306 + 6 * 28_000)]
    public void Uniform_cells_have_nas_bench_201_parameter_counts(string op, long expected)
    {
        using var network = new Nb201Network(_space.Parse(Uniform(op)), NetworkSettings.Nb201Cifar10, _operations);
        ModelCounter.Count(network, 3, 32).Parameters.Should().Be(expected);
    }

    [Theory]
    [InlineData(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
        73_306 + 3 * 243_040
    )]
    [InlineData(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
        73_306 + 5 * 243_040
    )]
    [InlineData(
        "|nor_conv_1x1~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|",
        73_306 + 243_040 + 2 * 28_000
    )]
    public void Mixed_cells_have_nas_bench_201_parameter_counts(string key, long expected)
    {
        using var network = new Nb201Network(_space.Parse(key), NetworkSettings.Nb201Cifar10, _operations);
        ModelCounter.Count(network, 3, 32).Parameters.Should().Be(expected);
    }

    // FLOPs by NB201's counter convention (conv/linear multiply-accumulates + k×k per pooled output), one 3×32×32 image:
    // the all-none network is the stem, the two reduction blocks and the classifier only.
    [Theory]
    [InlineData("none", 7_807_626)]
    [InlineData("nor_conv_3x3", 7_807_626 + 3 * 70_778_880)]
    public void Flops_are_counted_per_image(string op, long expected)
    {
        using var network = new Nb201Network(_space.Parse(Uniform(op)), NetworkSettings.Nb201Cifar10, _operations);
        ModelCounter.Count(network, 3, 32).Flops.Should().Be(expected);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("skip_connect")]
    [InlineData("nor_conv_1x1")]
    [InlineData("nor_conv_3x3")]
    [InlineData("avg_pool_3x3")]
    public void Every_operation_builds_and_runs_forward_and_backward(string name)
    {
        foreach (var (cin, cout, stride) in new[] { (8, 8, 1), (8, 16, 2), (8, 16, 1) })
        {
            using var scope = NewDisposeScope();
            using var op = _operations.Get(name).Build(cin, cout, stride);
            var input = randn(2, cin, 8, 8, requires_grad: true);
            var output = op.forward(input);
            output.shape.Should().Equal(2, cout, 8 / stride, 8 / stride);
            output.requires_grad.Should().Be(name != "none" || (cin == cout && stride == 1));
            if (!output.requires_grad)
                continue; // NB201's zero op ignores its input when the shape changes
            (output * output).sum().backward();
            input.grad.Should().NotBeNull();
        }
    }

    [Fact]
    public void The_network_takes_any_input_channels_size_and_class_count()
    {
        using var scope = NewDisposeScope();
        using var network = new Nb201Network(
            _space.Parse(Uniform("nor_conv_3x3")),
            new NetworkSettings(4, 1, 1, 28, 7),
            _operations
        );
        var logits = network.forward(randn(3, 1, 28, 28));
        logits.shape.Should().Equal(3, 7);
    }

    [Fact]
    public void A_skip_connect_edge_leaves_the_cell_input_untouched()
    {
        using var scope = NewDisposeScope();
        using var cell = new Nb201Cell(_space.Parse(Uniform("skip_connect")), _operations, 4);
        var input = randn(1, 4, 5, 5);
        var before = input.clone();
        var output = cell.forward(input);
        input.allclose(before, rtol: 0, atol: 0).Should().BeTrue();
        // node1 = x, node2 = x + x, node3 = x + x + 2x
        using var four = 4.ToScalar(); // held through the native call: see ImplicitScalarCalls
        output.allclose(before.mul(four)).Should().BeTrue();
    }
}
