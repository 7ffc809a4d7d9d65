using FluentAssertions;
using Nas.Sandbox.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// KeptAliveSgd replaces TorchSharp's SGD in training (its Scalars are kept alive through the native calls), so it must
/// train exactly as TorchSharp's does: the same weights after the same steps, bit for bit, with weight decay, momentum,
/// Nesterov or not, under the cosine schedule training uses.
/// </summary>
public sealed class KeptAliveSgdTests
{
    [Theory]
    [InlineData(true, 5e-4)]
    [InlineData(false, 5e-4)]
    [InlineData(true, 0.0)]
    public void Steps_exactly_as_torchsharps_sgd(bool nesterov, double weightDecay)
    {
        var reference = Train(p => optim.SGD(p, 0.1, 0.9, weight_decay: weightDecay, nesterov: nesterov));
        var kept = Train(p => new KeptAliveSgd(p, 0.1, 0.9, weightDecay, nesterov));
        kept.Should().Equal(reference);
    }

    private static float[] Train(Func<IEnumerable<Parameter>, SGD> create)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3));
        using (no_grad())
            foreach (var p in model.parameters())
                p.copy_(randn(p.shape, generator: generator) * 0.5);
        using var optimizer = create(model.parameters());
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, 20);
        var x = randn([16, 6], generator: generator);
        var y = randint(0, 3, [16], generator: generator);
        for (int step = 0; step < 20; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            optimizer.step();
            schedule.step();
        }
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }
}
