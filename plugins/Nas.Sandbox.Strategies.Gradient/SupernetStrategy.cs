using Nas.Sandbox.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// What DARTS and GDAS share: a supernet (NAS-Bench-201's skeleton with <see cref="SearchCell"/>s) trained on the
/// race's data from <c>context.Training</c> (<see cref="ITrainingKit"/>), architecture parameters α [6 edges ×
/// operations] shared by every cell, and the proposal: the argmax of α on each edge.
/// <para>A round is one iteration of NAS-Bench-201's <c>search_func</c> (exps/algos/DARTS-V1.py and GDAS.py, the same
/// loop in both): first the weights, one SGD step on a search-train batch, its gradient norm clipped at 5 over every
/// parameter of the network, α included (NB201 clips <c>network.parameters()</c>, which holds α, whose gradient there is
/// what the last α step left plus this step's); then α, one Adam step on a search-validation batch, the weights taken as
/// they now are (first order). How the edges mix in each forward pass is the subclass's (<see cref="Mix"/>). The
/// learning rate follows NB201's cosine schedule by epoch (<see cref="CosineSchedule"/>); an epoch is one pass over the
/// search-train images.</para>
/// <para>The supernet's cell operations are built with non-affine batch norms without running statistics
/// (<see cref="ITrainingKit.BuildOperation(string, int, int, int, bool, bool)"/>), as NB201's search models build them
/// (<c>affine=False</c>, <c>--track_running_stats 0</c>); the stem, the residual reduction blocks and the last batch
/// norm keep their affine batch norms, as there. The supernet is always in training mode (batch statistics).</para>
/// <para>Deterministic and rebuildable: Tell records nothing (trials do not steer a gradient search), and the Ask with
/// index k first makes sure (k + 1) × steps-per-ask rounds have been trained, training the missing ones. Weights come
/// from the kit's seed, α, the batch order and GDAS's samples from generators seeded by it, and rounds always run in
/// order from the first, so an instance rebuilt by replay (after a hot swap or a timeout) retrains to exactly the same
/// state on CPU and asks what the old one would have. It pays for that catch-up again: the referee charges whatever
/// training it does.</para>
/// <para>Sequential (not an <see cref="IParallelStrategy"/>): the search is the supernet's training, done inside each
/// Ask and charged to the contestant, and a proposal is only a probe of α at that point; evaluating probes on other
/// workers while the supernet trains buys the search nothing, and would share the device with a training estimator.</para>
/// <para>Memory: one dispose scope per round; the supernet, α and the optimisers are disposed with the strategy (the
/// referee disposes an instance it replaces or whose heat is over).</para>
/// </summary>
public abstract class SupernetStrategy : IStrategy, IDisposable
{
    private readonly string _name;
    private SupernetState? _state;

    private protected SupernetStrategy(string name, SupernetSettings settings) => (_name, Settings) = (name, settings);

    public SupernetSettings Settings { get; }

    /// <summary>Rounds trained so far.</summary>
    public int Rounds => _state?.Rounds ?? 0;

    /// <summary>Training-batch loss of every round so far, in order.</summary>
    public IReadOnlyList<double> TrainingLosses => _state?.TrainingLosses ?? [];

    /// <summary>What has been built (null before the first Ask): for tests that look inside.</summary>
    internal SupernetState? State => _state;

    /// <summary>A copy of α, [edge][operation].</summary>
    public double[][] ArchitectureWeights()
    {
        if (_state is null)
            return [];
        using var values = _state.Alpha.detach().cpu();
        var flat = values.data<float>().ToArray();
        int k = _state.Operations.Count;
        return Enumerable
            .Range(0, SearchCell.Edges.Length)
            .Select(e => flat.Skip(e * k).Take(k).Select(v => (double)v).ToArray())
            .ToArray();
    }

    public Architecture Ask(SearchContext context)
    {
        var kit = context.Training
            ?? throw new InvalidOperationException(
                $"{_name} needs the race's training data (context.Training): it trains a supernet on it. This race offers none; "
                    + "race it with --estimator train or --estimator tabular (nas race and nas tui provide the data)."
            );
        if (context.Space.ChoiceCount != SearchCell.Edges.Length)
            throw new InvalidOperationException(
                $"{_name} searches NAS-Bench-201's cell (6 edges); space '{context.Space.Name}' has {context.Space.ChoiceCount} choices."
            );
        TrainUntil(kit, context.Space.Operations, (long)(context.AskIndex + 1) * Settings.StepsPerAsk);
        var alpha = ArchitectureWeights();
        return context.Space.FromChoices(alpha.Select(row => _state!.Operations[ArgMax(row)]).ToArray());
    }

    /// <summary>Builds the supernet if need be, then trains rounds until <paramref name="rounds"/> have been trained.</summary>
    internal void TrainUntil(ITrainingKit kit, IReadOnlyList<string> operations, long rounds)
    {
        _state ??= Build(kit, operations);
        while (_state.Rounds < rounds)
            TrainRound(_state, kit);
    }

    /// <summary>Trials do not steer a gradient search; nothing is kept, so a replay costs nothing.</summary>
    public void Tell(Trial trial) { }

    private SupernetState Build(ITrainingKit kit, IReadOnlyList<string> operations)
    {
        var mixer = CreateMixer();
        long seed = kit.Seed;
        // Search-mode operations: non-affine batch norms without running statistics, as NB201's search cells.
        var network = kit.BuildNetwork(channels => new SearchCell(
            (name, c) => kit.BuildOperation(name, c, c, 1, affine: false, trackRunningStats: false),
            operations,
            channels,
            mixer
        ));
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        // α starts near uniform: 1e-3 × N(0, 1), as DARTS and GDAS initialise it.
        var initial = new float[SearchCell.Edges.Length * operations.Count];
        for (int i = 0; i < initial.Length; i++)
            initial[i] = (float)(1e-3 * random.NextGaussian());
        var alpha = new Parameter(tensor(initial, [SearchCell.Edges.Length, operations.Count], device: kit.Device));
        var weights = network.parameters().ToArray();
        // TorchSharp's SGD with its Scalars kept alive through each native call (KeptAlive.SGD says why).
        var weightOptimizer = new Nas.Sandbox.Core.Training.KeptAlive.SGD(
            weights,
            Settings.LearningRate,
            Settings.Momentum,
            Settings.WeightDecay,
            Settings.Nesterov
        );
        // TorchSharp's Adam with its Scalars kept alive, likewise.
        var archOptimizer = new Nas.Sandbox.Core.Training.KeptAlive.Adam(
            [alpha],
            Settings.ArchLearningRate,
            beta1: 0.5,
            beta2: 0.999,
            weightDecay: Settings.ArchWeightDecay
        );
        network.train();
        int roundsPerEpoch = (int)((kit.TrainingImages.shape[0] + kit.BatchSize - 1) / kit.BatchSize);
        return new SupernetState(
            network,
            mixer,
            alpha,
            weights,
            weightOptimizer,
            archOptimizer,
            operations,
            random,
            new BatchOrder(random.Next()),
            new BatchOrder(random.Next()),
            roundsPerEpoch
        );
    }

    /// <summary>One iteration of NB201's <c>search_func</c>: the weights on a search-train batch, then α on a search-validation batch.</summary>
    private void TrainRound(SupernetState state, ITrainingKit kit)
    {
        using var scope = NewDisposeScope();
        var (trainX, trainY) = state.TrainOrder.Next(kit.TrainingImages, kit.TrainingLabels, kit.BatchSize);
        var (validX, validY) = state.ValidationOrder.Next(kit.ValidationImages, kit.ValidationLabels, kit.BatchSize);
        int epoch = state.Rounds / state.RoundsPerEpoch;
        foreach (var group in state.WeightOptimizer.ParamGroups)
            group.LearningRate = Settings.LearningRates.At(epoch);

        Mix(state, epoch);
        state.WeightOptimizer.zero_grad(); // the weights only: α keeps what the last α step left, as in NB201
        var trainLoss = nn.functional.cross_entropy(state.Network.call(trainX), trainY);
        trainLoss.backward();
        nn.utils.clip_grad_norm_(state.ClippedParameters, Settings.GradientClip);
        state.WeightOptimizer.step();

        Mix(state, epoch);
        state.ArchOptimizer.zero_grad();
        var validationLoss = nn.functional.cross_entropy(state.Network.call(validX), validY);
        validationLoss.backward();
        state.ArchOptimizer.step();

        state.TrainingLosses.Add(trainLoss.item<float>());
        state.Rounds++;
    }

    /// <summary>
    /// Sets how the edges mix for the next forward pass (called before each of a round's two passes, inside the round's
    /// dispose scope, with the round's epoch): DARTS's softmax of α, GDAS's fresh Gumbel sample.
    /// </summary>
    private protected abstract void Mix(SupernetState state, int epoch);

    private protected abstract EdgeMixer CreateMixer();

    private static int ArgMax(double[] row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }

    public void Dispose()
    {
        _state?.Dispose();
        _state = null;
        GC.SuppressFinalize(this);
    }
}

/// <summary>Everything a supernet search has built and learned.</summary>
internal sealed record SupernetState(
    nn.Module<Tensor, Tensor> Network,
    EdgeMixer Mixer,
    Parameter Alpha,
    Parameter[] Weights,
    optim.Optimizer WeightOptimizer,
    optim.Optimizer ArchOptimizer,
    IReadOnlyList<string> Operations,
    Random Random,
    BatchOrder TrainOrder,
    BatchOrder ValidationOrder,
    int RoundsPerEpoch
) : IDisposable
{
    public int Rounds { get; set; }
    public List<double> TrainingLosses { get; } = [];

    /// <summary>What the weights step clips: every parameter of the network, α included, as NB201's <c>network.parameters()</c>.</summary>
    public Parameter[] ClippedParameters { get; } = [.. Weights, Alpha];

    public void Dispose()
    {
        WeightOptimizer.Dispose();
        ArchOptimizer.Dispose();
        Network.Dispose();
        Alpha.Dispose();
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
            for (int i = 0; i < count; i++)
                _permutation[i] = i;
            _random.Shuffle(_permutation);
            _position = 0;
        }
        int length = Math.Min(batchSize, _permutation.Length - _position);
        using var index = tensor(_permutation.AsSpan(_position, length).ToArray(), device: images.device);
        _position += length;
        return (images.index_select(0, index), labels.index_select(0, index));
    }
}
