using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The example operation and estimator scripts: nor_dil_conv_3x3 builds TorchSharp modules that train and plug into the
/// NAS-Bench-201 network once registered; param-proxy prices architectures exactly as the network builder counts them.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public class ScriptOperationTests
{
    private static string Uniform(string op) => $"|{op}~0|+|{op}~0|{op}~1|+|{op}~0|{op}~1|{op}~2|";

    [Fact]
    public void The_dilated_conv_builds_and_runs_forward_and_backward()
    {
        using var script = ScriptTestKit.CompileExample("nor-dil-conv-3x3.csx");
        var op = script.Operations.Single();
        foreach (var (cin, cout, stride) in new[] { (8, 8, 1), (8, 16, 2) })
        {
            using var scope = NewDisposeScope();
            using var module = op.Build(cin, cout, stride);
            // ReLU-Conv-BN: a 3×3 kernel without bias, then BatchNorm's scale and shift.
            module.parameters().Sum(p => p.numel()).Should().Be(9L * cin * cout + 2L * cout);
            var input = randn(2, cin, 8, 8, requires_grad: true);
            var output = module.call(input);
            output.shape.Should().Equal(2, cout, 8 / stride, 8 / stride);
            (output * output).sum().backward();
            input.grad.Should().NotBeNull();
            module.parameters().Should().AllSatisfy(p => p.grad.Should().NotBeNull());
        }
    }

    [Fact]
    public void A_registered_script_operation_builds_into_the_nas_bench_201_network()
    {
        using var script = ScriptTestKit.CompileExample("nor-dil-conv-3x3.csx");
        var registry = OperationRegistry.CreateDefault();
        registry.Register(script.Operations.Single(), $"script {Path.GetFileName(script.Path)}");
        registry.SourceOf("nor_dil_conv_3x3").Should().Be("script nor-dil-conv-3x3.csx");
        var space = new Nb201Space([.. Nb201Space.DefaultOperations, "nor_dil_conv_3x3"]);
        var mixed = space.Parse(
            "|nor_dil_conv_3x3~0|+|nor_conv_3x3~0|nor_dil_conv_3x3~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"
        );

        using (
            var network = new Nb201Network(
                space.Parse(Uniform("nor_dil_conv_3x3")),
                NetworkSettings.Nb201Cifar10,
                registry
            )
        )
            // Same parameters as NB201's all-nor_conv_3x3 network (1,531,546): a dilated kernel is still 3×3.
            ModelCounter.Count(network, 3, 32).Parameters.Should().Be(1_531_546);

        using var scope = NewDisposeScope();
        using var small = new Nb201Network(mixed, new NetworkSettings(4, 1, 1, 28, 10), registry);
        var logits = small.call(randn(3, 1, 28, 28));
        logits.shape.Should().Equal(3, 10);
        logits.sum().backward();
    }

    [Fact]
    public async Task The_parameter_proxy_scores_in_0_1_ranks_bigger_cells_higher_and_says_not_an_accuracy_by_its_name()
    {
        using var script = ScriptTestKit.CompileExample("param-proxy.csx");
        var proxy = script.Estimators.Single();
        var space = new Nb201Space();
        async Task<EvaluationResult> Price(Architecture a) =>
            await proxy.EvaluateAsync(a, new EvaluationRequest { Seed = 1, DataSeed = 2 }, CancellationToken.None);

        var conv = await Price(space.Parse(Uniform("nor_conv_3x3")));
        var none = await Price(space.Parse(Uniform("none")));
        foreach (var result in new[] { conv, none })
        {
            result.Status.Should().Be(TrialStatus.Ok);
            result.Metrics.ValidationAccuracy.Should().BeInRange(0, 1);
            result.CostSeconds.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(1);
        }
        conv.Metrics.ValidationAccuracy.Should().BeGreaterThan(none.Metrics.ValidationAccuracy!.Value);
        conv.Metrics.ValidationAccuracy.Should().Be(1);
        // NAS-Bench-201's published counts.
        conv.Metrics.Parameters.Should().Be(1_531_546);
        none.Metrics.Parameters.Should().Be(73_306);

        var alien = new Architecture(
            "|sep_conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            ["sep_conv_7x7", "none", "none", "none", "none", "none"]
        );
        var refused = await Price(alien);
        refused.Status.Should().Be(TrialStatus.Failed);
        refused.Message.Should().Contain("sep_conv_7x7");
    }

    [Fact]
    public async Task The_parameter_proxy_counts_what_the_network_builder_builds()
    {
        using var proxyScript = ScriptTestKit.CompileExample("param-proxy.csx");
        using var opScript = ScriptTestKit.CompileExample("nor-dil-conv-3x3.csx");
        var registry = OperationRegistry.CreateDefault();
        registry.Register(opScript.Operations.Single(), "script");
        string[] darts =
        [
            "sep_conv_3x3",
            "sep_conv_5x5",
            "dil_conv_3x3",
            "dil_conv_5x5",
            "se_block",
            "mbconv_k3_e3",
            "mbconv_k7_e6",
        ];
        var space = new Nb201Space([.. Nb201Space.DefaultOperations, "nor_dil_conv_3x3", .. darts]);
        var random = new Random(5);
        // Three cells drawn at random, then one uniform cell of each built-in DARTS operation, se_block and two mbconv.
        var architectures = Enumerable
            .Range(0, 3)
            .Select(_ => space.Sample(random))
            .Concat(darts.Select(op => space.Parse(Uniform(op))));
        foreach (var architecture in architectures)
        {
            var priced = await proxyScript
                .Estimators.Single()
                .EvaluateAsync(architecture, new EvaluationRequest { Seed = 0, DataSeed = 0 }, CancellationToken.None);
            using var network = new Nb201Network(architecture, NetworkSettings.Nb201Cifar10, registry);
            priced.Metrics.Parameters.Should().Be(ModelCounter.Count(network, 3, 32).Parameters, architecture.Key);
        }
    }
}
