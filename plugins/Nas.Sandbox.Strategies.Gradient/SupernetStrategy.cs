using Nas.Sandbox.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>Settings shared by DARTS and GDAS (their knobs).</summary>
public sealed record SupernetSettings
{
    /// <summary>Rounds (one weight step and one architecture step each) trained before each Ask's proposal.</summary>
    public int StepsPerAsk { get; init; } = 4;
    /// <summary>SGD learning rate of the supernet's weights (DARTS/GDAS: 0.025, constant here: the horizon is the race's).</summary>
    public double LearningRate { get; init; } = 0.025;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    /// <summary>Gradient-norm clip of the weights (DARTS: 5).</summary>
    public double GradientClip { get; init; } = 5;
    /// <summary>Adam learning rate of the architecture parameters α (DARTS/GDAS: 3e-4, betas 0.5 and 0.999).</summary>
    public double ArchLearningRate { get; init; } = 3e-4;
    /// <summary>Adam weight decay of α (DARTS/GDAS: 1e-3).</summary>
    public double ArchWeightDecay { get; init; } = 1e-3;

    public static IReadOnlyList<Knob> Knobs { get; } =
    [
        new("steps-per-ask", "4", "supernet training rounds (a weight step and an α step) before each proposal; an epoch at the defaults is 79"),
        new("learning-rate", "0.025", "SGD learning rate of the supernet's weights (constant)"),
        new("momentum", "0.9", "SGD momentum of the weights"),
        new("weight-decay", "0.0003", "weight decay of the weights"),
        new("arch-learning-rate", "0.0003", "Adam learning rate of the architecture parameters"),
        new("arch-weight-decay", "0.001", "Adam weight decay of the architecture parameters"),
    ];

    public static SupernetSettings From(KnobValues knobs) => new()
    {
        StepsPerAsk = knobs.GetInt("steps-per-ask", min: 1, max: 100_000),
        LearningRate = knobs.GetDouble("learning-rate", min: 1e-9),
        Momentum = knobs.GetDouble("momentum", min: 0, max: 0.999999),
        WeightDecay = knobs.GetDouble("weight-decay", min: 0),
        ArchLearningRate = knobs.GetDouble("arch-learning-rate", min: 1e-9),
        ArchWeightDecay = knobs.GetDouble("arch-weight-decay", min: 0),
    };
}

/// <summary>
/// What DARTS and GDAS share: a supernet (NAS-Bench-201's skeleton with <see cref="SearchCell"/>s) trained on the
/// race's data from <see cref="SearchContext.Training"/>, architecture parameters α [6 edges × operations] shared by
/// every cell, and the proposal: the argmax of α on each edge.
/// <para>Deterministic and rebuildable: Tell records nothing (trials do not steer a gradient search), and the Ask with
/// index k first makes sure (k + 1) × steps-per-ask rounds have been trained, training the missing ones. Weights come
/// from the kit's seed, α and the batch order from generators seeded by it, and rounds always run in order from the
/// first, so an instance rebuilt by replay (after a hot swap or a timeout) retrains to exactly the same state on CPU and
/// asks what the old one would have. It pays for that catch-up again: the referee charges whatever training it does.</para>
/// <para>Memory: one dispose scope per round; the supernet, α and the optimisers are disposed with the strategy (the
/// referee disposes an instance it replaces or whose heat is over).</para>
/// </summary>
public abstract class SupernetStrategy : IStrategy, IDisposable
{
    private readonly string _name;
    private SupernetState? _state;

    protected SupernetStrategy(string name, SupernetSettings settings) => (_name, Settings) = (name, settings);

    public SupernetSettings Settings { get; }

    /// <summary>Rounds trained so far.</summary>
    public int Rounds => _state?.Rounds ?? 0;

    /// <summary>Training-batch loss of every round so far, in order.</summary>
    public IReadOnlyList<double> TrainingLosses => _state?.TrainingLosses ?? [];

    /// <summary>A copy of α, [edge][operation].</summary>
    public double[][] ArchitectureWeights()
    {
        if (_state is null) return [];
        using var values = _state.Alpha.detach().cpu();
        var flat = values.data<float>().ToArray();
        int k = _state.Operations.Count;
        return Enumerable.Range(0, SearchCell.Edges.Length).Select(e => flat.Skip(e * k).Take(k).Select(v => (double)v).ToArray()).ToArray();
    }

    public Architecture Ask(SearchContext context)
    {
        var kit = context.Training ?? throw new InvalidOperationException(
            $"{_name} needs the race's training data (SearchContext.Training): it trains a supernet on it. This race offers none; " +
            "race it with --estimator train or --estimator tabular (nas race and nas tui provide the data).");
        if (context.Space.ChoiceCount != SearchCell.Edges.Length)
            throw new InvalidOperationException($"{_name} searches NAS-Bench-201's cell (6 edges); space '{context.Space.Name}' has {context.Space.ChoiceCount} choices.");
        _state ??= Build(kit, context.Space.Operations);
        long target = (long)(context.AskIndex + 1) * Settings.StepsPerAsk;
        while (_state.Rounds < target) TrainRound(_state, kit);
        var alpha = ArchitectureWeights();
        return context.Space.FromChoices(alpha.Select(row => _state.Operations[ArgMax(row)]).ToArray());
    }

    /// <summary>Trials do not steer a gradient search; nothing is kept, so a replay costs nothing.</summary>
    public void Tell(Trial trial) { }

    private SupernetState Build(ITrainingKit kit, IReadOnlyList<string> operations)
    {
        var mixer = CreateMixer();
        long seed = kit.Seed;
        var network = kit.BuildNetwork(channels => new SearchCell(kit, operations, channels, mixer));
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        // α starts near uniform: 1e-3 × N(0, 1), as DARTS and GDAS initialise it.
        var initial = new float[SearchCell.Edges.Length * operations.Count];
        for (int i = 0; i < initial.Length; i++) initial[i] = (float)(1e-3 * Normal(random));
        var alpha = new Parameter(tensor(initial, [SearchCell.Edges.Length, operations.Count], device: kit.Device));
        var weights = network.parameters().ToArray();
        var weightOptimizer = optim.SGD(weights, Settings.LearningRate, Settings.Momentum, weight_decay: Settings.WeightDecay);
        var archOptimizer = optim.Adam([alpha], Settings.ArchLearningRate, beta1: 0.5, beta2: 0.999, weight_decay: Settings.ArchWeightDecay);
        network.train();
        return new SupernetState(network, mixer, alpha, weights, weightOptimizer, archOptimizer, operations, random,
            new BatchOrder(random.Next()), new BatchOrder(random.Next()));
    }

    private void TrainRound(SupernetState state, ITrainingKit kit)
    {
        using var scope = NewDisposeScope();
        var (trainX, trainY) = state.TrainOrder.Next(kit.TrainingImages, kit.TrainingLabels, kit.BatchSize);
        var (validX, validY) = state.ValidationOrder.Next(kit.ValidationImages, kit.ValidationLabels, kit.BatchSize);
        double loss = Step(state, trainX, trainY, validX, validY);
        state.TrainingLosses.Add(loss);
        state.Rounds++;
    }

    /// <summary>One round: a weight step on the training batch and an α step on the validation batch; returns the training loss.</summary>
    private protected abstract double Step(SupernetState state, Tensor trainX, Tensor trainY, Tensor validX, Tensor validY);

    private protected abstract EdgeMixer CreateMixer();

    /// <summary>SGD step of the supernet's weights on <paramref name="x"/>, with α as the mixer is currently set (no α gradient kept).</summary>
    private protected double WeightStep(SupernetState state, Tensor x, Tensor y)
    {
        state.WeightOptimizer.zero_grad();
        var loss = nn.functional.cross_entropy(state.Network.call(x), y);
        loss.backward();
        nn.utils.clip_grad_norm_(state.Weights, Settings.GradientClip);
        state.WeightOptimizer.step();
        return loss.item<float>();
    }

    /// <summary>Adam step of α on <paramref name="x"/> (first order: the weights are taken as they are).</summary>
    private protected double ArchStep(SupernetState state, Tensor x, Tensor y)
    {
        state.ArchOptimizer.zero_grad();
        var loss = nn.functional.cross_entropy(state.Network.call(x), y);
        loss.backward();
        state.ArchOptimizer.step();
        return loss.item<float>();
    }

    private static int ArgMax(double[] row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public void Dispose()
    {
        _state?.Dispose();
        _state = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Everything the search has built and learned.</summary>
    private protected sealed record SupernetState(
        nn.Module<Tensor, Tensor> Network, EdgeMixer Mixer, Parameter Alpha, Parameter[] Weights,
        optim.Optimizer WeightOptimizer, optim.Optimizer ArchOptimizer, IReadOnlyList<string> Operations, Random Random,
        BatchOrder TrainOrder, BatchOrder ValidationOrder) : IDisposable
    {
        public int Rounds { get; set; }
        public List<double> TrainingLosses { get; } = [];

        public void Dispose()
        {
            WeightOptimizer.Dispose();
            ArchOptimizer.Dispose();
            Network.Dispose();
            Alpha.Dispose();
        }
    }
}

/// <summary>Minibatches in a seeded order: a fresh permutation each pass over the data (the last batch of a pass may be smaller).</summary>
internal sealed class BatchOrder(int seed)
{
    private readonly Random _random = new(seed);
    private long[] _permutation = [];
    private int _position;

    public (Tensor Images, Tensor Labels) Next(Tensor images, Tensor labels, int batchSize)
    {
        long count = images.shape[0];
        if (_position >= _permutation.Length)
        {
            _permutation = new long[count];
            for (int i = 0; i < count; i++) _permutation[i] = i;
            _random.Shuffle(_permutation);
            _position = 0;
        }
        int length = Math.Min(batchSize, _permutation.Length - _position);
        using var index = tensor(_permutation.AsSpan(_position, length).ToArray(), device: images.device);
        _position += length;
        return (images.index_select(0, index), labels.index_select(0, index));
    }
}
