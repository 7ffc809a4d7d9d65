using FluentAssertions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// KeptAlive.SGD replaces TorchSharp's SGD in training (its Scalars are kept alive through the native calls), so it must
/// train exactly as TorchSharp's does: the same weights after the same steps, bit for bit, with weight decay, momentum,
/// Nesterov or not, under the cosine schedule training uses. And the checkpoints of a run killed before it existed
/// (written by TorchSharp's SGD) must resume under it, and the other way round. KeptAlive.Adam (the supernet's α) is held
/// to the same: bit for bit with TorchSharp's Adam, and its state loads under either.
/// </summary>
public sealed class KeptAliveOptimizerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nas-keptalive-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(true, 5e-4)]
    [InlineData(false, 5e-4)]
    [InlineData(true, 0.0)]
    public void Steps_exactly_as_torchsharps_sgd(bool nesterov, double weightDecay)
    {
        var reference = Train(p => optim.SGD(p, 0.1, 0.9, weight_decay: weightDecay, nesterov: nesterov), 20);
        var kept = Train(p => new KeptAlive.SGD(p, 0.1, 0.9, weightDecay, nesterov), 20);
        kept.Should().Equal(reference);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_checkpoint_of_either_optimizer_resumes_under_the_other(bool writtenByTorchSharp)
    {
        Func<IEnumerable<Parameter>, SGD> torchSharps = p => optim.SGD(p, 0.1, 0.9, weight_decay: 5e-4, nesterov: true);
        Func<IEnumerable<Parameter>, SGD> kept = p => new KeptAlive.SGD(p, 0.1, 0.9, 5e-4, true);
        var (first, second) = writtenByTorchSharp ? (torchSharps, kept) : (kept, torchSharps);
        string checkpoint = Path.Combine(_folder, "checkpoint.bin");

        var uninterrupted = Train(first, 20);
        Train(first, 10, saveTo: checkpoint);
        var resumed = Train(second, 20, resumeFrom: checkpoint);

        // The momentum buffers came through: without them the resumed weights would differ.
        resumed.Should().Equal(uninterrupted);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1e-3, false)]
    [InlineData(1e-3, true)]
    public void Adam_steps_exactly_as_torchsharps(double weightDecay, bool amsgrad)
    {
        var reference = Train(
            p => optim.Adam(p, 3e-4, beta1: 0.5, beta2: 0.999, weight_decay: weightDecay, amsgrad: amsgrad),
            20
        );
        var kept = Train(p => new KeptAlive.Adam(p, 3e-4, 0.5, 0.999, weightDecay, amsgrad: amsgrad), 20);
        kept.Should().Equal(reference);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_adam_state_of_either_optimizer_resumes_under_the_other(bool writtenByTorchSharp)
    {
        Func<IEnumerable<Parameter>, OptimizerHelper> torchSharps = p =>
            optim.Adam(p, 3e-4, beta1: 0.5, beta2: 0.999, weight_decay: 1e-3);
        Func<IEnumerable<Parameter>, OptimizerHelper> kept = p => new KeptAlive.Adam(p, 3e-4, 0.5, 0.999, 1e-3);
        var (first, second) = writtenByTorchSharp ? (torchSharps, kept) : (kept, torchSharps);
        string checkpoint = Path.Combine(_folder, "adam.bin");

        var uninterrupted = Train(first, 20);
        Train(first, 10, saveTo: checkpoint);
        var resumed = Train(second, 20, resumeFrom: checkpoint);

        // The step count and both moments came through: without them the bias correction and the weights would differ.
        resumed.Should().Equal(uninterrupted);
    }

    /// <summary>
    /// Trains a small network from a fixed start for <paramref name="steps"/> steps of a 20-step cosine schedule;
    /// saves a checkpoint at the end, or starts from one (its steps skipped, the schedule stepped past them). Under
    /// <see cref="TorchSharpReference"/>: every test here trains TorchSharp's own optimizers too.
    /// </summary>
    private static float[] Train(
        Func<IEnumerable<Parameter>, OptimizerHelper> create,
        int steps,
        string? saveTo = null,
        string? resumeFrom = null
    ) => TorchSharpReference.Run(() => TrainUnguarded(create, steps, saveTo, resumeFrom));

    private static float[] TrainUnguarded(
        Func<IEnumerable<Parameter>, OptimizerHelper> create,
        int steps,
        string? saveTo,
        string? resumeFrom
    )
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3));
        using var half = 0.5.ToScalar();
        using (no_grad())
            foreach (var p in model.parameters())
                p.copy_(randn(p.shape, generator: generator).mul(half));
        using var optimizer = create(model.parameters());
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, 20);
        var x = randn([16, 6], generator: generator);
        var y = randint(0, 3, [16], generator: generator);
        int start = 0;
        if (resumeFrom is not null)
        {
            // As FullTrainer resumes: the schedule stepped to where it was, then the state (holding its rate) over it.
            start = TrainingCheckpointFile.Epochs(resumeFrom);
            for (int step = 0; step < start; step++)
                schedule.step();
            TrainingCheckpointFile.Load(resumeFrom, model, optimizer);
        }
        for (int step = start; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            optimizer.step();
            schedule.step();
        }
        if (saveTo is not null)
            TrainingCheckpointFile.Save(saveTo, model, optimizer, steps);
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }
}
