using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// BANANAS (White, Neiswanger &amp; Savani, "BANANAS: Bayesian Optimization with Neural Architectures for Neural
/// Architecture Search", AAAI 2021): Bayesian optimisation whose surrogate is an ensemble of small neural networks
/// trained on the architectures' one-hot encodings (the space's <see cref="ISearchSpace.Encode"/>), whose acquisition is
/// independent Thompson sampling over the ensemble's mean and spread, and whose acquisition is optimised by mutating
/// the best architectures found so far. As in the paper, the ensemble is retrained once per batch of proposals.
/// Knobs: <c>initial</c> (10) random architectures first; <c>batch</c> (10) proposals per retraining; <c>ensemble</c>
/// (5) networks; <c>candidates</c> (100) mutants scored per batch; <c>parents</c> (10) best architectures mutated;
/// <c>hidden</c> (20) units in each of <c>layers</c> (3) hidden layers; <c>epochs</c> (200) full-batch Adam steps at
/// <c>learning-rate</c> (0.01).
/// </summary>
public sealed class BananasFactory : IStrategyFactory
{
    public string Name => "bananas";
    public string Description => "Bayesian optimisation with a neural predictor ensemble and mutation-based Thompson-sampling acquisition (White et al. 2021).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("initial", "10", "random architectures before the predictor proposes"),
        new("batch", "10", "proposals taken from each trained ensemble"),
        new("ensemble", "5", "networks in the predictor ensemble"),
        new("candidates", "100", "mutants of the best architectures scored per batch"),
        new("parents", "10", "best architectures the candidates are mutated from"),
        new("hidden", "20", "units per hidden layer"),
        new("layers", "3", "hidden layers per network"),
        new("epochs", "200", "full-batch Adam steps per network and batch"),
        new("learning-rate", "0.01", "Adam's step size"),
    ];

    public IStrategy Create(KnobValues knobs) => new Bananas(new BananasSettings(
        Initial: knobs.GetInt("initial", min: 1), Batch: knobs.GetInt("batch", min: 1), Ensemble: knobs.GetInt("ensemble", min: 1),
        Candidates: knobs.GetInt("candidates", min: 1), Parents: knobs.GetInt("parents", min: 1),
        Hidden: knobs.GetInt("hidden", min: 1), Layers: knobs.GetInt("layers", min: 1), Epochs: knobs.GetInt("epochs", min: 1),
        LearningRate: knobs.GetDouble("learning-rate", min: 1e-9)));
}

public sealed record BananasSettings(int Initial, int Batch, int Ensemble, int Candidates, int Parents, int Hidden, int Layers, int Epochs, double LearningRate);

public sealed class Bananas(BananasSettings settings) : IStrategy
{
    private const int MaxRedraws = 100;
    // Tell only records. The proposals of a batch are a function of the history before the batch began and of a seed
    // drawn from that history (not from the ask's Random, which a rebuilt instance asked mid-batch never saw), so an
    // instance rebuilt by replaying the same trials proposes exactly what the original would have.
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private IReadOnlyList<Architecture> _proposals = [];
    private int _proposalsFrom = -1;

    public Architecture Ask(SearchContext context)
    {
        int told = _history.Count;
        if (told >= settings.Initial && _history.Any(IsScored))
        {
            int batchStart = settings.Initial + (told - settings.Initial) / settings.Batch * settings.Batch;
            if (_proposalsFrom != batchStart)
            {
                _proposals = Propose(context.Space, _history.Take(batchStart).ToList());
                _proposalsFrom = batchStart;
            }
            var next = _proposals.Skip(told - batchStart).FirstOrDefault(a => !_evaluated.Contains(a));
            if (next is not null) return next;
        }
        var fresh = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && _evaluated.Contains(fresh); i++) fresh = context.Space.Sample(context.Random);
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

    /// <summary>One batch: train the ensemble on the scored history, mutate the best, pick by Thompson sampling.</summary>
    private List<Architecture> Propose(ISearchSpace space, List<Trial> history)
    {
        var random = new Random(HistorySeed(history));
        var scored = history.Where(t => IsScored(t) && space.Contains(t.Architecture)).ToList();
        if (scored.Count == 0) return [];
        var ensemble = TrainEnsemble(space, scored, random);

        var evaluated = history.Select(t => t.Architecture).ToHashSet();
        var parents = scored.OrderByDescending(t => Score(t)!.Value).Select(t => t.Architecture).Distinct().Take(settings.Parents).ToList();
        var candidates = new List<Architecture>();
        var seen = new HashSet<Architecture>(evaluated);
        for (int attempt = 0; candidates.Count < settings.Candidates && attempt < settings.Candidates * 10; attempt++)
        {
            var child = space.Mutate(parents[attempt % parents.Count], random);
            if (seen.Add(child)) candidates.Add(child);
        }
        // A tiny or nearly exhausted neighbourhood: widen the pool with random architectures.
        for (int attempt = 0; candidates.Count < settings.Candidates && attempt < settings.Candidates * 10; attempt++)
        {
            var other = space.Sample(random);
            if (seen.Add(other)) candidates.Add(other);
        }

        var predictions = candidates.Select(c =>
        {
            var row = space.Encode(c);
            var values = ensemble.Select(member => member.Predict(row)).ToArray();
            double mean = values.Average();
            double spread = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            return (Candidate: c, Mean: mean, Spread: spread);
        }).ToList();

        // Independent Thompson sampling: each pick draws one plausible score per candidate and takes the best.
        var picks = new List<Architecture>();
        for (int pick = 0; pick < settings.Batch && predictions.Count > 0; pick++)
        {
            int best = 0;
            double bestDraw = double.NegativeInfinity;
            for (int i = 0; i < predictions.Count; i++)
            {
                double draw = predictions[i].Mean + predictions[i].Spread * StandardNormal(random);
                if (draw > bestDraw) (best, bestDraw) = (i, draw);
            }
            picks.Add(predictions[best].Candidate);
            predictions.RemoveAt(best);
        }
        return picks;
    }

    private List<NeuralPredictor> TrainEnsemble(ISearchSpace space, List<Trial> scored, Random random)
    {
        var rows = scored.Select(t => space.Encode(t.Architecture)).ToList();
        var scores = scored.Select(t => Score(t)!.Value).ToList();
        // Standardised targets: the same learning rate works whatever the objective's scale.
        double mean = scores.Average();
        double std = Math.Max(1e-6, Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Count));
        var targets = scores.Select(s => (s - mean) / std).ToList();
        var ensemble = new List<NeuralPredictor>();
        for (int m = 0; m < settings.Ensemble; m++)
        {
            var member = new NeuralPredictor(rows[0].Length, settings.Hidden, settings.Layers, random);
            member.Fit(rows, targets, settings.Epochs, settings.LearningRate);
            ensemble.Add(member);
        }
        return ensemble;
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>FNV-1a over the history's architectures: the heat's seed reaches it through the random first trials.</summary>
    private static int HistorySeed(List<Trial> history)
    {
        ulong hash = 14695981039346656037;
        foreach (var trial in history)
        {
            foreach (char c in trial.Architecture.Key) hash = (hash ^ c) * 1099511628211;
            hash = (hash ^ '\n') * 1099511628211;
        }
        return (int)(hash ^ (hash >> 32));
    }
}
