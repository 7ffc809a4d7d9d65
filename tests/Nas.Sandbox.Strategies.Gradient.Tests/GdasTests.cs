using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient.Tests;

/// <summary>GDAS as NAS-Bench-201 runs it: one sampled operation per edge, straight-through gradients, τ annealed by epoch.</summary>
public sealed class GdasTests
{
    [Fact]
    public void A_hard_sample_computes_exactly_the_sampled_operation_of_each_edge_and_alpha_gets_its_gradient_straight_through()
    {
        using var data = TestKit.Data();
        var kit = TestKit.Kit(data);
        var factory = new GdasFactory();
        using var gdas = (Gdas)factory.Create(TestKit.Knobs(factory));
        var operations = new Nb201Space().Operations;
        gdas.TrainUntil(kit, operations, 0);
        var state = gdas.State!;
        var mixer = (SampledMixer)state.Mixer;
        var cells = state.Network.modules().OfType<SearchCell>().ToArray();
        cells.Should().HaveCount(3, "one cell per stage");
        var calls = new int[cells.Length, SearchCell.Edges.Length * operations.Count];
        var hooks = new List<Action>();
        for (int c = 0; c < cells.Length; c++)
        for (int i = 0; i < cells[c].Operations.Count; i++)
        {
            int cell = c,
                index = i;
            hooks.Add(
                cells[c]
                    .Operations[i]
                    .register_forward_hook(
                        (_, _, output) =>
                        {
                            calls[cell, index]++;
                            return output;
                        }
                    )
                    .remove
            );
        }

        using var scope = NewDisposeScope();
        Gdas.Sample(state, mixer, tau: 10);
        var hard = mixer.Hard!.detach().data<float>().ToArray();
        for (int e = 0; e < SearchCell.Edges.Length; e++)
        for (int k = 0; k < operations.Count; k++)
            hard[e * operations.Count + k]
                .Should()
                .BeApproximately(k == mixer.Chosen[e] ? 1 : 0, 1e-6f, "one-hot in value");
        state.ArchOptimizer.zero_grad();
        nn.functional.cross_entropy(state.Network.call(kit.ValidationImages), kit.ValidationLabels).backward();
        foreach (var remove in hooks)
            remove();

        for (int c = 0; c < cells.Length; c++)
        for (int e = 0; e < SearchCell.Edges.Length; e++)
        for (int k = 0; k < operations.Count; k++)
            calls[c, e * operations.Count + k]
                .Should()
                .Be(k == mixer.Chosen[e] ? 1 : 0, $"cell {c}, edge {e}, operation {operations[k]}");
        var gradient = state.Alpha.grad!.data<float>().ToArray();
        for (int e = 0; e < SearchCell.Edges.Length; e++)
            Math.Abs(gradient[e * operations.Count + mixer.Chosen[e]])
                .Should()
                .BeGreaterThan(0, $"the sampled operation of edge {e} gets a gradient");
    }

    [Fact]
    public void Gdas_temperature_falls_linearly_by_epoch_from_tau_max_to_tau_min_at_the_last_epoch_then_stays()
    {
        var schedule = new TemperatureSchedule(10, 0.1, 101);
        schedule.At(0).Should().Be(10);
        schedule.At(50).Should().BeApproximately(5.05, 1e-12);
        schedule
            .At(100)
            .Should()
            .BeApproximately(0.1, 1e-12, "NB201: tau_max − (tau_max − tau_min)·epoch/(epochs − 1)");
        schedule.At(1000).Should().Be(0.1);
        Enumerable.Range(0, 101).Select(schedule.At).Should().BeInDescendingOrder();
        var factory = new GdasFactory();
        var gdas = (Gdas)factory.Create(TestKit.Knobs(factory));
        gdas.Temperature.Should()
            .Be(new TemperatureSchedule(10, 0.1, 240), "GDAS.sh's 10 → 0.1 over GDAS.config's 240 epochs");
        gdas.Settings.Epochs.Should().Be(240);
        var refused = () => factory.Create(TestKit.Knobs(factory, ("tau-min", "20")));
        refused.Should().Throw<KnobException>().WithMessage("*tau-min*tau-max*");
    }

    [Fact]
    public void Gdas_trains_catches_up_a_skipped_ask_and_proposes_the_argmax_of_alpha()
    {
        using var data = TestKit.Data();
        var space = new Nb201Space();
        var factory = new GdasFactory();
        using var gdas = (Gdas)
            factory.Create(TestKit.Knobs(factory, ("steps-per-ask", "3"), ("arch-learning-rate", "0.01")));
        var kit = TestKit.Kit(data);
        gdas.Ask(TestKit.Context(space, kit, 0));
        var proposal = gdas.Ask(TestKit.Context(space, kit, 2)); // a skipped index: it catches up to (2 + 1) × 3 rounds
        gdas.Rounds.Should().Be(9);
        gdas.TrainingLosses.Should().HaveCount(9).And.OnlyContain(l => double.IsFinite(l) && l > 0.5 && l < 5);
        var alpha = gdas.ArchitectureWeights();
        alpha
            .SelectMany(row => row)
            .Should()
            .Contain(v => Math.Abs(v) > 0.02, "nine Adam steps at 0.01 move α away from its 1e-3 start");
        proposal.Choices.Should().Equal(alpha.Select(row => space.Operations[Array.IndexOf(row, row.Max())]));
    }
}
