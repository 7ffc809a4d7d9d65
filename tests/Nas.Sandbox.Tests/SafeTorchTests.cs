using FluentAssertions;
using Nas.Sandbox.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The contract SafeTorch (API 2.4). Its BatchNorm2d replaces TorchSharp's <c>nn.BatchNorm2d</c> in every network the
/// product builds (its batch count's Scalars are held through the native call), so it must compute exactly what
/// TorchSharp's does, in training and in evaluation, and keep the same state-dict names, so that checkpoints written
/// before it resume under it, and the other way round, and PyTorch exports keep their keys. Plus must add as <c>+</c> does.
/// </summary>
public sealed class SafeTorchTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Trains_and_evaluates_exactly_as_torchsharps(bool affine, bool trackRunningStats)
    {
        var reference = TorchSharpReference.Run(() =>
            Run(nn.BatchNorm2d(3, affine: affine, track_running_stats: trackRunningStats))
        );
        var kept = Run(SafeTorch.BatchNorm2d(3, affine: affine, trackRunningStats: trackRunningStats));

        kept.Should().Equal(reference);
    }

    [Fact]
    public void Keeps_torchsharps_state_dict_names_and_loads_its_checkpoints_both_ways()
    {
        using var scope = NewDisposeScope();
        var torchSharps = nn.Sequential(("conv", nn.Conv2d(3, 3, 1)), ("bn", nn.BatchNorm2d(3)));
        var kept = nn.Sequential(("conv", nn.Conv2d(3, 3, 1)), ("bn", SafeTorch.BatchNorm2d(3)));
        kept.state_dict().Keys.Should().Equal(torchSharps.state_dict().Keys);
        kept.state_dict()
            .Keys.Should()
            .Contain(["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);

        TorchSharpReference.Run(() =>
            Run(torchSharps.named_children().Last().module as BatchNorm ?? throw new InvalidOperationException())
        );
        kept.load(new MemoryStream(Saved(torchSharps)));
        Values(kept).Should().Equal(Values(torchSharps));

        Run(kept.named_children().Last().module as BatchNorm ?? throw new InvalidOperationException());
        torchSharps.load(new MemoryStream(Saved(kept)));
        Values(torchSharps).Should().Equal(Values(kept));
    }

    [Fact]
    public void Plus_adds_as_the_operator_does_and_its_one_survives_collections()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var a = randn([64, 16], generator: generator);
        var b = randn([64, 16], generator: generator);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        var operators = TorchSharpReference.Run(() => (a + b).data<float>().ToArray());
        SafeTorch.Plus(a, b).data<float>().ToArray().Should().Equal(operators);
        SafeTorch.One.ToInt64().Should().Be(1);
    }

    [Fact]
    public void Counts_its_training_batches()
    {
        using var scope = NewDisposeScope();
        var bn = SafeTorch.BatchNorm2d(2);
        for (int i = 0; i < 5; i++)
            bn.call(randn(4, 2, 3, 3));
        bn.eval();
        bn.call(randn(4, 2, 3, 3));
        bn.num_batches_tracked!.item<long>().Should().Be(5);
    }

    [Fact]
    public void Refuses_input_that_is_not_four_dimensional()
    {
        using var scope = NewDisposeScope();
        var bn = SafeTorch.BatchNorm2d(2);
        FluentActions
            .Invoking(() => bn.call(randn(4, 2, 3)))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("expected 4D input, but got 3D input.");
    }

    /// <summary>
    /// Six training steps (forward, backward through an SGD step) and one evaluation from fixed weights and data; returns the
    /// outputs, the input gradients, and every parameter and buffer after them.
    /// </summary>
    private static float[] Run(BatchNorm bn)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        using (no_grad())
            foreach (var p in bn.parameters())
                p.copy_(randn(p.shape, generator: generator));
        var results = new List<float>();
        using var rate = 0.01.ToScalar(); // held through the native calls: see ImplicitScalarCalls
        bn.train();
        for (int step = 0; step < 6; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = randn([8, 3, 4, 4], generator: generator).requires_grad_();
            var y = bn.call(x);
            y.pow(2).sum().backward();
            results.AddRange(y.data<float>().ToArray());
            results.AddRange(x.grad!.data<float>().ToArray());
            using (no_grad())
                foreach (var p in bn.parameters())
                    p.sub_(p.grad!.mul(rate));
            bn.zero_grad();
        }
        bn.eval();
        using (no_grad())
            results.AddRange(bn.call(randn([8, 3, 4, 4], generator: generator)).data<float>().ToArray());
        results.AddRange(Values(bn));
        return results.ToArray();
    }

    /// <summary>A module's checkpoint, as <c>Module.save</c> writes it (it closes the stream, so the bytes are copied out).</summary>
    private static byte[] Saved(nn.Module module)
    {
        var stream = new MemoryStream();
        module.save(stream);
        return stream.ToArray();
    }

    private static float[] Values(nn.Module module) =>
        module.state_dict().Values.SelectMany(t => t.to(float32).data<float>().ToArray()).ToArray();
}
