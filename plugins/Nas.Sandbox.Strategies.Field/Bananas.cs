using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// BANANAS (White, Neiswanger &amp; Savani, "BANANAS: Bayesian Optimization with Neural Architectures for Neural
/// Architecture Search", AAAI 2021), as its reference code runs it on NAS-Bench-201 (naszilla/naszilla, which the
/// paper's code link points to; naszilla/bananas is its deprecated predecessor): <c>nas_algorithms.py</c>,
/// <c>bananas()</c> with its defaults and <c>run_experiments.py</c>'s <c>--metann_params standard</c>.
/// <list type="number">
/// <item><c>initial</c> random architectures (<c>num_init</c> = 10).</item>
/// <item>Then, per batch of <c>batch</c> evaluations (<c>k</c> = 10): train an ensemble of <c>ensemble</c> (5)
/// networks on every scored architecture's path encoding truncated to paths of up to <c>path-length</c> operations
/// (<c>predictor_encoding='trunc_path'</c>, cutoff 30: on NB201's five operations exactly the 5 + 25 paths of 1 and 2
/// operations; see <see cref="IPathEncoding"/> and Nb201Space.EncodePaths); each network as
/// <see cref="NeuralPredictor"/> describes (<c>params.py</c>, <c>meta_neuralnet_params('standard')</c>: <c>layers</c>
/// = 10 hidden layers of <c>hidden</c> = 20 units, mean absolute error, <c>epochs</c> = 150, <c>batch-size</c> = 32,
/// Adam at <c>learning-rate</c> = 0.01).</item>
/// <item>Make candidates by mutating the best architectures (<see cref="MutationCandidates"/>: <c>candidates</c> =
/// 100, <c>parents</c> = <c>num_arches_to_mutate</c> = 1, each edge changed with <c>mutation-probability</c> = 0.25).</item>
/// <item>Evaluate the <c>batch</c> best by independent Thompson sampling (<see cref="IndependentThompsonSampling"/>).</item>
/// </list>
/// Where this differs from the reference, deliberately:
/// <list type="bullet">
/// <item>The networks learn standardised objectives (mean 0, deviation 1 over the history) where the reference learns
/// raw validation error in percent: the race's objective has no fixed scale (an accuracy fraction, a proxy's score,
/// accuracy − λ·cost), and how far Adam at 0.01 must move the output depends on it.</item>
/// <item>The truncation is a path length, not a feature count: the same 30 features on NB201's five operations, and no
/// length cut in two on a narrowed or extended operation list. A space without <see cref="IPathEncoding"/> is
/// encoded one-hot (<see cref="ISearchSpace.Encode"/>), which the paper's ablation calls the adjacency encoding.</item>
/// <item>Failed trials teach the ensemble nothing (the reference's benchmark never fails).</item>
/// <item>When the pool has fewer candidates than a batch needs (a tiny or nearly exhausted space), the rest of the
/// batch is random unevaluated architectures, so every ask is answered; the reference would evaluate fewer.</item>
/// <item>Randomness comes from a seed drawn from the history (below), not from numpy's global generator.</item>
/// </list>
/// <para>With trials in flight (<see cref="IParallelStrategy"/>), the free workers share each batch. The ensemble
/// learns from finished trials only: a batch begins once <c>initial</c>, <c>initial</c> + <c>batch</c>, … trials have
/// been told (counted in the order they came back, whatever was asked meanwhile), and the ensemble trained on them
/// ranks the whole candidate pool by one Thompson draw each. Every ask takes the best ranked candidate that is neither
/// evaluated nor in flight (<see cref="SearchContext.Pending"/>; an architecture still in flight from an earlier batch
/// may be in the pool, and is skipped too). So k asks in a row before any result are the top k distinct candidates in
/// descending order of the acquisition, the ones k sequential asks would evaluate; when results are slow, asks go on
/// down the ranking past the first <c>batch</c>. The ensemble is trained when a batch begins, never because of an ask,
/// so a free worker costs no training. Until <c>initial</c> trials have been told, asks are random cells neither
/// evaluated nor in flight: the predictor waits for its <c>initial</c> results, so with w workers up to w − 1 random
/// cells more than <c>initial</c> may be evaluated.</para>
/// </summary>
public sealed class BananasFactory : IStrategyFactory
{
    public string Name => "bananas";
    public string Description =>
        "Bayesian optimisation with a neural predictor ensemble on path encodings and Thompson sampling over mutants of the best (White et al. 2021).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("initial", "10", "random architectures before the predictor proposes (paper: 10)"),
        new("batch", "10", "proposals taken from each trained ensemble (paper: k = 10)"),
        new("ensemble", "5", "networks in the predictor ensemble (paper: 5)"),
        new("candidates", "100", "mutants of the best architectures scored per batch (paper: 100)"),
        new(
            "parents",
            "1",
            "best architectures the candidates are mutated from; more when duplicates leave the pool short (paper: 1)"
        ),
        new("mutation-probability", "0.25", "chance each choice changes in a mutant (paper: 1/(6 − 2) per NB201 edge)"),
        new(
            "path-length",
            "2",
            "longest path kept in the path encoding (paper: truncated to 30 features, the paths of 1 and 2 operations)"
        ),
        new("hidden", "20", "units per hidden layer (paper: 20)"),
        new("layers", "10", "hidden layers per network (paper: 10)"),
        new("epochs", "150", "passes over the history per network and batch (paper: 150)"),
        new("batch-size", "32", "rows per Adam step (paper: 32)"),
        new("learning-rate", "0.01", "Adam's step size (paper: 0.01)"),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new Bananas(
            new BananasSettings(
                Initial: knobs.GetInt("initial", min: 1),
                Batch: knobs.GetInt("batch", min: 1),
                Ensemble: knobs.GetInt("ensemble", min: 1),
                Candidates: knobs.GetInt("candidates", min: 1),
                Parents: knobs.GetInt("parents", min: 1),
                MutationProbability: knobs.GetDouble("mutation-probability", min: 0, max: 1),
                PathLength: knobs.GetInt("path-length", min: 1),
                Hidden: knobs.GetInt("hidden", min: 1),
                Layers: knobs.GetInt("layers", min: 1),
                Epochs: knobs.GetInt("epochs", min: 1),
                BatchSize: knobs.GetInt("batch-size", min: 1),
                LearningRate: knobs.GetDouble("learning-rate", min: 1e-9)
            )
        );
}

public sealed record BananasSettings(
    int Initial,
    int Batch,
    int Ensemble,
    int Candidates,
    int Parents,
    double MutationProbability,
    int PathLength,
    int Hidden,
    int Layers,
    int Epochs,
    int BatchSize,
    double LearningRate
);

public sealed class Bananas(BananasSettings settings) : IParallelStrategy
{
    private const int MaxRedraws = 100;

    // Tell only records. The ranking of a batch is a function of the history before the batch began (the trials told
    // so far, in the order they were told) and of a seed drawn from that history (not from the ask's Random, which a
    // rebuilt instance asked mid-batch never saw), so an instance rebuilt by replaying the same trials ranks exactly
    // as the original did. It is cached by the told count the batch began at: asks between two batches, however many
    // and whatever is in flight, reuse it (training the ensemble is what costs). What is in flight is read from the
    // context and only filters the ranking.
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private IReadOnlyList<Architecture> _ranking = [];
    private int _rankingFrom = -1;

    public Architecture Ask(SearchContext context)
    {
        int told = _history.Count;
        var inFlight = context.Pending.Select(p => p.Architecture).ToHashSet();
        if (told >= settings.Initial && _history.Any(IsScored))
        {
            int batchStart = settings.Initial + (told - settings.Initial) / settings.Batch * settings.Batch;
            if (_rankingFrom != batchStart)
            {
                _ranking = Rank(context.Space, _history.Take(batchStart).ToList());
                _rankingFrom = batchStart;
            }
            // Sequentially the batch's asks so far are the ranking's first (told - batchStart) candidates, all
            // evaluated, so this is the ranking's next one; in flight ones are skipped like evaluated ones.
            var next = _ranking.FirstOrDefault(a => !_evaluated.Contains(a) && !inFlight.Contains(a));
            if (next is not null)
                return next;
        }
        var fresh = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && (_evaluated.Contains(fresh) || inFlight.Contains(fresh)); i++)
            fresh = context.Space.Sample(context.Random);
        return fresh;
    }

    public void Tell(Trial trial)
    {
        _history.Add(trial);
        _evaluated.Add(trial.Architecture);
    }

    /// <summary>What the ensemble learns from: the race's objective; failed trials teach nothing.</summary>
    private static double? Score(Trial trial) => trial.Status == TrialStatus.Ok ? trial.Objective : null;

    private static bool IsScored(Trial trial) => Score(trial) is not null;

    /// <summary>
    /// One batch: train the ensemble on the scored history, mutate the best, rank every candidate by Thompson sampling
    /// (best first; the reference evaluates the first <c>batch</c>, and asks while results are in flight go further).
    /// </summary>
    private List<Architecture> Rank(ISearchSpace space, List<Trial> history)
    {
        var random = new Random(HistorySeed(history));
        var scored = history.Where(t => IsScored(t) && space.Contains(t.Architecture)).ToList();
        if (scored.Count == 0)
            return [];
        var ensemble = TrainEnsemble(space, scored, random);

        var best = scored.OrderByDescending(t => Score(t)!.Value).Select(t => t.Architecture).Distinct().ToList();
        var seen = history.Select(t => t.Architecture).ToHashSet();
        var candidates = MutationCandidates.Generate(
            space,
            best,
            seen,
            settings.Candidates,
            settings.Parents,
            settings.MutationProbability,
            random
        );
        var predictions = candidates
            .Select(c =>
            {
                var row = Features(space, c);
                return ensemble.Select(member => member.Predict(row)).ToArray();
            })
            .ToList();
        return IndependentThompsonSampling
            .Pick(predictions, predictions.Count, random)
            .Select(i => candidates[i])
            .ToList();
    }

    private List<NeuralPredictor> TrainEnsemble(ISearchSpace space, List<Trial> scored, Random random)
    {
        var rows = scored.Select(t => Features(space, t.Architecture)).ToList();
        var scores = scored.Select(t => Score(t)!.Value).ToList();
        double mean = scores.Average();
        double std = Math.Max(1e-6, Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Count));
        var targets = scores.Select(s => (s - mean) / std).ToList();
        var ensemble = new List<NeuralPredictor>();
        for (int m = 0; m < settings.Ensemble; m++)
        {
            var member = new NeuralPredictor(rows[0].Length, settings.Hidden, settings.Layers, random);
            member.Fit(rows, targets, settings.Epochs, settings.BatchSize, settings.LearningRate, random);
            ensemble.Add(member);
        }
        return ensemble;
    }

    /// <summary>The path encoding when the space offers one (truncated to <c>path-length</c>), else the one-hot encoding.</summary>
    private float[] Features(ISearchSpace space, Architecture architecture) =>
        space is IPathEncoding paths
            ? paths.EncodePaths(architecture, Math.Min(settings.PathLength, paths.LongestPath))
            : space.Encode(architecture);

    /// <summary>FNV-1a over the history's architectures: the heat's seed reaches it through the random first trials.</summary>
    private static int HistorySeed(List<Trial> history)
    {
        ulong hash = StableHash.Empty;
        foreach (var trial in history)
            hash = StableHash.Add(StableHash.Add(hash, trial.Architecture.Key), '\n');
        return StableHash.ToInt32(hash);
    }
}
