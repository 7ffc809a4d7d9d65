using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.ZeroCost;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The MobileNetV2-style macro space (issue 22): 7^12 architectures of 3 stages × 4 layers, its key format and the
/// moves strategies make, a network of exactly the layers documented (counted by hand), trained by the training
/// estimator, scored by the zero-cost proxies and timed for latency on the Fashion-MNIST subset, other operations
/// through --operations, and the mbconv operations in the cell space.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class MacroSpaceTests(BuiltInHostFixture fixture) : IClassFixture<BuiltInHostFixture>
{
    private readonly SandboxHost _host = fixture.Host;
    private readonly MacroSpace _space = new();

    private const string AllSkip =
        "skip_connect-skip_connect-skip_connect-skip_connect|skip_connect-skip_connect-skip_connect-skip_connect|skip_connect-skip_connect-skip_connect-skip_connect";

    /// <summary>Stage 1: k3e3, skip, k5e6, k7e3; stage 2: k3e6, k3e6, skip, skip; stage 3: k7e6, skip, k5e3, k3e3.</summary>
    private const string Mixed =
        "mbconv_k3_e3-skip_connect-mbconv_k5_e6-mbconv_k7_e3|mbconv_k3_e6-mbconv_k3_e6-skip_connect-skip_connect|mbconv_k7_e6-skip_connect-mbconv_k5_e3-mbconv_k3_e3";

    private static string Uniform(string op) => MacroSpace.Format(Enumerable.Repeat(op, 12).ToArray());

    [Fact]
    public void It_has_7_to_the_12_architectures_of_12_layers_keyed_by_stage()
    {
        _space.Size.Should().Be(13_841_287_201L);
        _space.ChoiceCount.Should().Be(12);
        _space
            .Operations.Should()
            .Equal(
                "mbconv_k3_e3",
                "mbconv_k3_e6",
                "mbconv_k5_e3",
                "mbconv_k5_e6",
                "mbconv_k7_e3",
                "mbconv_k7_e6",
                "skip_connect"
            );
        var mixed = _space.Parse(Mixed);
        mixed.Key.Should().Be(Mixed);
        mixed.Choices[1].Should().Be("skip_connect");
        mixed.Choices[4].Should().Be("mbconv_k3_e6");
        _space.Contains(mixed).Should().BeTrue();
        var encoding = _space.Encode(mixed);
        encoding.Should().HaveCount(84);
        encoding.Sum().Should().Be(12);
        encoding[0].Should().Be(1f, "layer 1 is mbconv_k3_e3, the first operation");
        encoding[7 + 6].Should().Be(1f, "layer 2 is skip_connect, the last operation");
        var random = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            var sample = _space.Sample(random);
            _space.Parse(sample.Key).Should().Be(sample);
        }
    }

    [Theory]
    [InlineData("", 0, "stage 1, layer 1")]
    [InlineData("mbconv_k3_e3", 12, "'-' and layer 2 of stage 1")]
    [InlineData("mbconv_k3_e3-mbconv_k9_e3", 13, "stage 1, layer 2, one of mbconv_k3_e3")]
    [InlineData(
        "skip_connect-skip_connect-skip_connect-skip_connect-skip_connect",
        51,
        "'|' and stage 2 (a macro key has 3 stages of 4 layers), not '-'"
    )]
    [InlineData(
        "skip_connect-skip_connect-skip_connect|skip_connect",
        38,
        "'-' and layer 4 of stage 1 (a macro key has 3 stages of 4 layers), not '|'"
    )]
    [InlineData(AllSkip + "|skip_connect", 155, "the end of the string")]
    [InlineData(AllSkip + "-", 155, "the end of the string")]
    public void A_key_that_does_not_parse_names_the_position_and_what_was_expected(
        string key,
        int position,
        string expected
    )
    {
        var parse = () => _space.Parse(key);
        var error = parse.Should().Throw<ArchitectureFormatException>().Which;
        error.Position.Should().Be(position);
        error.Message.Should().Contain(expected);
    }

    [Fact]
    public void Moves_stay_in_the_space_and_change_what_they_promise() =>
        SpaceTestKit.MovesStayInTheSpaceAndChangeWhatTheyPromise(_space, mutations: 100);

    [Theory]
    [InlineData(new[] { "mbconv_k3_e3", "none" }, "'none' cuts the macro chain")]
    [InlineData(new[] { "mbconv_k3_e3", "my-op" }, "cannot be used in a macro key")]
    [InlineData(new[] { "mbconv_k3_e3" }, "at least two operations")]
    [InlineData(new[] { "mbconv_k3_e3", "mbconv_k3_e3" }, "distinct")]
    public void Operation_lists_it_cannot_use_are_refused(string[] operations, string expected)
    {
        var make = () => new MacroSpaceProvider().CreateSpace(operations);
        make.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    /// <summary>An inverted residual's parameters with affine batch norms (h = e·Cin; e = 1 has no expansion).</summary>
    private static long InvertedResidualCount(long cin, long cout, long k, long e)
    {
        long h = e * cin;
        return (e == 1 ? 0 : cin * h + 2 * h) + k * k * h + 2 * h + h * cout + 2 * cout;
    }

    /// <summary>The documented network's parameters for one input channel, ten classes and C, layer by layer.</summary>
    private static long HandCount(Architecture architecture, long c)
    {
        long count = 9 * c + 2 * c; // stem: 3×3 conv 1→C, BN
        long width = c;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                count += InvertedResidualCount(width, 2 * width, 3, 6);
                width *= 2;
            }
            foreach (string op in architecture.Choices.Skip(4 * stage).Take(4))
                if (op != "skip_connect")
                {
                    var parts = op.Split('_'); // mbconv_kK_eE
                    count += InvertedResidualCount(width, width, parts[1][1] - '0', parts[2][1] - '0');
                }
        }
        count += width * 4 * width + 2 * 4 * width; // head: 1×1 conv to 4× the width, BN
        return count + 4 * width * 10 + 10; // classifier
    }

    [Theory]
    [InlineData(Mixed, 8)]
    [InlineData(AllSkip, 8)]
    [InlineData(AllSkip, 4)]
    [InlineData("mbconv_k7_e6", 16)]
    [InlineData("mbconv_k3_e3", 8)]
    public void Its_network_maps_images_to_logits_with_the_documented_layers(string key, int channels)
    {
        var architecture = _space.Parse(key.Contains('|') ? key : Uniform(key));
        using var network = new MacroSpaceProvider().BuildNetwork(architecture, SpaceTestKit.Shape(channels));
        ModelCounter.Count(network, 1, 28).Parameters.Should().Be(HandCount(architecture, channels));
        using var scope = NewDisposeScope();
        network.eval();
        var logits = network.call(randn(3, 1, 28, 28));
        logits.shape.Should().Equal(3, 10);
        logits.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Expansion_and_kernel_change_the_parameters_and_flops_and_skips_remove_them()
    {
        var provider = new MacroSpaceProvider();
        (long Parameters, long Flops) Cost(string op)
        {
            using var network = provider.BuildNetwork(_space.Parse(Uniform(op)), SpaceTestKit.Shape(8));
            var cost = ModelCounter.Count(network, 1, 28);
            return (cost.Parameters, cost.Flops);
        }
        var e3 = Cost("mbconv_k3_e3");
        var e6 = Cost("mbconv_k3_e6");
        var k7 = Cost("mbconv_k7_e6");
        var skip = Cost("skip_connect");
        e6.Parameters.Should().BeGreaterThan(e3.Parameters);
        e6.Flops.Should().BeGreaterThan(e3.Flops);
        k7.Parameters.Should().BeGreaterThan(e6.Parameters);
        k7.Flops.Should().BeGreaterThan(e6.Flops);
        skip.Parameters.Should().BeLessThan(e3.Parameters);
        skip.Flops.Should().BeLessThan(e3.Flops);
    }

    [Fact]
    public void The_inverted_residual_adds_its_input_only_when_the_shape_is_kept()
    {
        using var keep = new InvertedResidual(8, 8, 5, 6, 1);
        using var reduce = new InvertedResidual(8, 16, 3, 6, 2);
        using var widen = new InvertedResidual(8, 16, 3, 3, 1);
        keep.HasShortcut.Should().BeTrue();
        reduce.HasShortcut.Should().BeFalse();
        widen.HasShortcut.Should().BeFalse();
        using var scope = NewDisposeScope();
        var x = randn(2, 8, 9, 9);
        keep.call(x).shape.Should().Equal(2, 8, 9, 9);
        reduce.call(x).shape.Should().Equal(2, 16, 5, 5);
        widen.call(x).shape.Should().Equal(2, 16, 9, 9);
        // torchvision's InvertedResidual layout, so a state dict reads as torchvision's.
        keep.state_dict()
            .Keys.Should()
            .Contain(["conv.0.0.weight", "conv.0.1.running_mean", "conv.1.0.weight", "conv.2.weight", "conv.3.bias"]);
        ModelCounter.Count(keep, 8, 9).Parameters.Should().Be(InvertedResidualCount(8, 8, 5, 6));
        using var noExpansion = new InvertedResidual(8, 8, 3, 1, 1);
        noExpansion.parameters().Sum(p => p.numel()).Should().Be(InvertedResidualCount(8, 8, 3, 1));
    }

    /// <summary>
    /// C=4 (widths 4, 8, 16): the inverted residuals' depthwise convolutions are slow on libtorch's CPU, and a network
    /// this narrow learns in 75 steps too. The proxies score networks of this width as well.
    /// </summary>
    private static readonly TrainingSettings Tiny = new()
    {
        Epochs = 1,
        TrainingImages = 1200,
        ValidationImages = 300,
        Channels = 4,
        BatchSize = 16,
        Latency = new LatencySettings { Warmup = 1, Repeats = 3 },
    };

    [Fact]
    public void The_training_estimator_trains_it_and_measures_its_latency()
    {
        string dataset = SpaceTestKit.Dataset;
        var architecture = _host.CreateSpace("macro").Parse(Mixed);
        var trainer = (TrainingEstimator)_host.CreateEstimator("train", dataset, Tiny, "cpu", "macro");
        var trained = trainer.Evaluate(architecture, new EvaluationRequest { Seed = 2, DataSeed = 2 });
        trained.Status.Should().Be(TrialStatus.Ok, trained.Message);
        trained.Metrics.Parameters.Should().Be(HandCount(architecture, Tiny.Channels));
        trained.Metrics.Flops.Should().BePositive();
        trained
            .Metrics.ValidationAccuracy.Should()
            .BeGreaterThan(0.4, "one epoch of 75 steps learns (0.62 at C=4 when written, 0.676 at C=8; chance is 0.1)");
        trained.Metrics.LatencyMs.Should().BePositive();
        trained.Metrics.LatencyMsBatch64.Should().BeGreaterThan(trained.Metrics.LatencyMs!.Value);
    }

    [Theory]
    [InlineData("synflow")]
    [InlineData("snip")]
    [InlineData("grad-norm")]
    [InlineData("naswot")]
    public void Every_zero_cost_proxy_scores_it_finitely_and_tells_two_architectures_apart(string proxyName)
    {
        string dataset = SpaceTestKit.Dataset;
        var space = _host.CreateSpace("macro");
        var proxy = (ZeroCostEstimator)
            _host.CreateEstimator(proxyName, dataset, Tiny with { Latency = null }, "cpu", "macro");
        var request = new EvaluationRequest { Seed = 1, DataSeed = 1 };
        double Score(Architecture architecture)
        {
            var result = proxy.Evaluate(architecture, request);
            result.Status.Should().Be(TrialStatus.Ok, result.Message);
            double score = result.Metrics.Score!.Value;
            double.IsFinite(score).Should().BeTrue($"{proxyName} scores {architecture.Key} finitely");
            return score;
        }
        Score(space.Parse(Mixed)).Should().NotBe(Score(space.Parse(Uniform("mbconv_k7_e6"))));
    }

    /// <summary>
    /// synflow's all-ones input through |θ| drives every ReLU6 past 6, where its gradient is 0: scored as it is, every
    /// macro network would score only its classifier. The proxy passes ReLU6 through as the identity (what a ReLU is on
    /// the positive signal synflow sends), so the score grows with the layers as it does on cells.
    /// </summary>
    [Fact]
    public void Synflow_sees_every_layer_through_relu6()
    {
        string dataset = SpaceTestKit.Dataset;
        var space = _host.CreateSpace("macro");
        var proxy = (ZeroCostEstimator)
            _host.CreateEstimator("synflow", dataset, Tiny with { Latency = null }, "cpu", "macro");
        double Score(string key)
        {
            var result = proxy.Evaluate(space.Parse(key), new EvaluationRequest { Seed = 1, DataSeed = 1 });
            result.Status.Should().Be(TrialStatus.Ok, result.Message);
            return result.Metrics.Score!.Value;
        }
        double skip = Score(AllSkip),
            small = Score(Uniform("mbconv_k3_e3")),
            large = Score(Uniform("mbconv_k7_e6"));
        small.Should().BeGreaterThan(skip + 1, "twelve more layers carry more synaptic flow (scores are logarithms)");
        large.Should().BeGreaterThan(small + 1);
    }

    [Fact]
    public void Other_registry_operations_are_layers_of_the_macro_space()
    {
        string[] operations = ["mbconv_k3_e3", "se_block", "sep_conv_5x5", "dil_conv_3x3", "skip_connect"];
        var space = _host.CreateSpace("macro", operations);
        space.Operations.Should().Equal(operations);
        space.Size.Should().Be((long)Math.Pow(5, 12));
        var architecture = space.FromChoices(Enumerable.Range(0, 12).Select(i => operations[i % 5]).ToArray());
        space.Parse(architecture.Key).Should().Be(architecture);
        space.Encode(architecture).Should().HaveCount(60);
        using var network = _host
            .Spaces.Get("macro")
            .Provider.BuildNetwork(architecture, SpaceTestKit.Shape(8, _host.Operations));
        using var scope = NewDisposeScope();
        network.call(randn(2, 1, 28, 28)).shape.Should().Equal(2, 10);
        var refuse = () => _host.CreateSpace("macro", ["mbconv_k3_e3", "none"]);
        refuse
            .Should()
            .Throw<NasException>()
            .WithMessage("Search space 'macro' (built-in) cannot be made with --operations mbconv_k3_e3,none: 'none'*");
    }

    [Fact]
    public void The_mbconv_operations_are_edges_of_the_cell_space()
    {
        var space = _host.CreateSpace(
            "nb201",
            ["nor_conv_3x3", "mbconv_k5_e6", "mbconv_k3_e3", "skip_connect", "none"]
        );
        var cell = space.Parse(
            "|mbconv_k5_e6~0|+|mbconv_k3_e3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|mbconv_k5_e6~2|"
        );
        var estimator = (TrainingEstimator)
            _host.CreateEstimator(
                "train",
                SpaceTestKit.Dataset,
                Tiny with
                {
                    Latency = null,
                    Channels = 8, // a multiple of 8: nor_conv_3x3 at 4 channels is refused (ConvolutionCheck)
                    TrainingImages = 200,
                    ValidationImages = 100,
                },
                "cpu",
                "nb201"
            );
        var result = estimator.Evaluate(cell, new EvaluationRequest { Seed = 1, DataSeed = 1 });
        result.Status.Should().Be(TrialStatus.Ok, result.Message);
        result.Metrics.ValidationAccuracy.Should().BeInRange(0, 1);
        // The cell diagram codes them by kernel and expansion.
        Nb201CellDiagram.Draw(cell, 40).Should().Contain(line => line.Contains("k5e6"));
    }

    [Fact]
    public void It_is_drawn_as_one_line_per_stage_with_skipped_layers_as_dots()
    {
        var provider = new MacroSpaceProvider();
        provider
            .Draw(_space.Parse(Mixed), 80)
            .Should()
            .Equal(
                "stage 1  C   k3e3 ···· k5e6 k7e3",
                "stage 2 2C ↓ k3e6 k3e6 ···· ····",
                "stage 3 4C ↓ k7e6 ···· k5e3 k3e3"
            );
        provider
            .Draw(_space.Parse(Mixed), 24)
            .Should()
            .Equal("1 k3e3 ···· k5e6 k7e3", "2 k3e6 k3e6 ···· ····", "3 k7e6 ···· k5e3 k3e3");
        provider.Draw(_space.Parse(Mixed), 10).Should().OnlyContain(line => line.Length <= 10);
        var other = new MacroSpace(["se_block", "sep_conv_5x5", "skip_connect"]);
        provider
            .Draw(other.FromChoices(Enumerable.Repeat("se_block", 11).Append("sep_conv_5x5").ToArray()), 80)[2]
            .Should()
            .Be("stage 3 4C ↓ se se se s5x5");
    }
}
