using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The built-in DARTS convolutions (sep_conv_3x3/5x5, dil_conv_3x3/5x5) and se_block: shapes, parameter counts and
/// FLOPs against their formulas, batch-norm options, and a network of them.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public class DartsOperationTests
{
    private static readonly string[] Names =
    [
        "sep_conv_3x3",
        "sep_conv_5x5",
        "dil_conv_3x3",
        "dil_conv_5x5",
        "se_block",
    ];

    private static readonly int[] StageChannels = [8, 16, 32];

    private readonly OperationRegistry _operations = OperationRegistry.CreateDefault();

    public static TheoryData<string> Operations => new(Names);

    private static bool HasGradient(Parameter p) => p.grad is not null;

    /// <summary>Non-affine, without running statistics (a supernet's cells).</summary>
    private static bool SearchMode(BatchNorm bn) => bn.weight is null && bn.running_mean is null;

    /// <summary>Affine, with running statistics (PyTorch's defaults).</summary>
    private static bool Standard(BatchNorm bn) => bn.weight is not null && bn.running_mean is not null;

    private static int Kernel(string name) => name.EndsWith("5x5", StringComparison.Ordinal) ? 5 : 3;

    /// <summary>Parameters with affine batch norms, as the class comments state them.</summary>
    private static long ExpectedParameters(string name, long cin, long cout, long stride)
    {
        long k = Kernel(name);
        if (name.StartsWith("sep_conv", StringComparison.Ordinal))
            return 2 * k * k * cin + cin * cin + cin * cout + 2 * (cin + cout);
        if (name.StartsWith("dil_conv", StringComparison.Ordinal))
            return k * k * cin + cin * cout + 2 * cout;
        long h = Math.Max(1, cout / 4);
        long reduce = stride != 1 || cin != cout ? cin * cout + 2 * cout : 0;
        return 2 * cout * h + h + cout + reduce;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Each_keeps_or_halves_the_size_maps_the_channels_and_trains(string name)
    {
        foreach (var (cin, cout, stride, size) in new[] { (8, 8, 1, 8), (8, 16, 2, 8), (8, 16, 1, 8), (6, 4, 2, 7) })
        {
            using var scope = NewDisposeScope();
            using var op = _operations.Get(name).Build(cin, cout, stride);
            var input = randn(2, cin, size, size, requires_grad: true);
            var output = op.call(input);
            long expected = (size + stride - 1) / stride; // as NB201's 3×3 convolution with padding 1 rounds
            output.shape.Should().Equal([2, cout, expected, expected], $"{name} ({cin}→{cout}, stride {stride})");
            (output * output).sum().backward();
            input.grad.Should().NotBeNull();
            op.parameters().Should().OnlyContain(p => HasGradient(p), $"{name}: every parameter is used");
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Parameter_counts_equal_the_formula(string name)
    {
        foreach (var (cin, cout, stride) in new[] { (8, 8, 1), (16, 16, 1), (8, 16, 2), (8, 16, 1), (3, 3, 1) })
        {
            using var op = _operations.Get(name).Build(cin, cout, stride);
            op.parameters()
                .Sum(p => p.numel())
                .Should()
                .Be(ExpectedParameters(name, cin, cout, stride), $"{name} ({cin}→{cout}, stride {stride})");
        }
    }

    [Fact]
    public void Se_block_has_one_hidden_channel_at_least()
    {
        SqueezeExcitation.HiddenChannels(3).Should().Be(1);
        SqueezeExcitation.HiddenChannels(8).Should().Be(2);
        SqueezeExcitation.HiddenChannels(64).Should().Be(16);
    }

    // FLOPs of one C×S×S image (NB201's convention: multiply-accumulates of convolutions, plus one per output for a
    // bias). A depthwise k×k convolution is k²·C·S² (one input channel per filter), not k²·C²·S².
    [Theory]
    [InlineData("sep_conv_3x3", 2 * (9 * 8 * 64 + 8 * 8 * 64))]
    [InlineData("sep_conv_5x5", 2 * (25 * 8 * 64 + 8 * 8 * 64))]
    [InlineData("dil_conv_3x3", 9 * 8 * 64 + 8 * 8 * 64)]
    [InlineData("dil_conv_5x5", 25 * 8 * 64 + 8 * 8 * 64)]
    [InlineData("se_block", (8 * 2 + 2) + (2 * 8 + 8))]
    public void Flops_count_a_depthwise_convolution_per_input_channel(string name, long expected)
    {
        using var op = _operations.Get(name).Build(8, 8, 1);
        ModelCounter.Count(op, 8, 8).Flops.Should().Be(expected);
    }

    [Fact]
    public void Se_block_counts_the_reduction_when_the_shape_changes()
    {
        // FactorizedReduce at stride 2: two 1×1 convolutions 8→8 on 4×4 outputs; then the excitation on 16 channels.
        using var op = _operations.Get("se_block").Build(8, 16, 2);
        ModelCounter.Count(op, 8, 8).Flops.Should().Be(2 * 8 * 8 * 16 + (16 * 4 + 4) + (4 * 16 + 16));
    }

    [Fact]
    public void A_grouped_convolution_is_counted_per_group()
    {
        // 4 groups of 2 input channels, 12 output channels, 3×3, padding 1, on 5×5: each output sees 2·9 inputs.
        using var conv = nn.Conv2d(8, 12, 3, padding: 1, groups: 4, bias: false);
        ModelCounter.Count(conv, 8, 5).Flops.Should().Be(12 * 25 * 2 * 9);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Batch_norms_are_built_as_asked(string name)
    {
        using var search = _operations.Build(name, 8, 16, 2, new BatchNormOptions(false, false), out bool honoured);
        honoured.Should().BeTrue();
        var searchNorms = search.modules().OfType<BatchNorm>().ToArray();
        searchNorms.Should().NotBeEmpty().And.OnlyContain(bn => SearchMode(bn));
        using var standard = _operations.Build(name, 8, 16, 2, BatchNormOptions.Standard, out _);
        standard
            .modules()
            .OfType<BatchNorm>()
            .Should()
            .HaveCount(searchNorms.Length)
            .And.OnlyContain(bn => Standard(bn));
    }

    [Fact]
    public void State_dict_keys_are_those_of_darts_and_torchvision()
    {
        using var sep = _operations.Get("sep_conv_3x3").Build(8, 8, 1);
        sep.state_dict()
            .Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal))
            .Should()
            .Equal("op.1.weight", "op.2.weight", "op.3.weight", "op.5.weight", "op.6.weight", "op.7.weight");
        using var se = _operations.Get("se_block").Build(8, 8, 1);
        se.state_dict().Keys.Should().Equal("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    }

    [Fact]
    public void A_network_of_every_new_operation_counts_and_runs()
    {
        var space = new Nb201Space(["none", "skip_connect", .. Names]);
        var architecture = space.Parse(
            "|sep_conv_3x3~0|+|sep_conv_5x5~0|dil_conv_3x3~1|+|dil_conv_5x5~0|se_block~1|skip_connect~2|"
        );
        using var network = new Nb201Network(architecture, new NetworkSettings(8, 1, 1, 28, 10), _operations);
        var cost = ModelCounter.Count(network, 1, 28);
        using var none = new Nb201Network(
            space.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
            new NetworkSettings(8, 1, 1, 28, 10),
            _operations
        );
        // The cells' parameters are the sum of their edges' at C = 8, 16, 32.
        long edges = StageChannels.Sum(c => Names.Sum(n => ExpectedParameters(n, c, c, 1)));
        cost.Parameters.Should().Be(ModelCounter.Count(none, 1, 28).Parameters + edges);
        using var scope = NewDisposeScope();
        network.call(randn(2, 1, 28, 28)).shape.Should().Equal(2, 10);
    }
}
