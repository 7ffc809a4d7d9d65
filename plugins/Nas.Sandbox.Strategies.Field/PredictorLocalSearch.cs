using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// Predictor-guided local search: <see cref="LocalSearch"/>'s first-improvement walk with restarts, where the order in
/// which a centre's neighbours are tried comes from a ridge regression fitted on the trials so far instead of a shuffle.
/// Evaluations a plain walk spends on neighbours that were never going to improve go, in the main, to the ones that
/// will; the field found predictor-guided local search strong on NAS-Bench-201 (White et al., "How Powerful are
/// Performance Predictors in Neural Architecture Search?", NeurIPS 2021).
/// <para>The predictor (<see cref="RankRidge"/>) sees only the space's generic description: per choice, the one-hot
/// of its operation (choice features, <see cref="ISearchSpace.Encode"/>), and per operation, how many choices take it
/// (count features). It is a ridge regression with its own penalty per group (<c>choice-ridge</c>, <c>count-ridge</c>)
/// and an unpenalised intercept, fitted to the ranks of the ok trials' objectives (not their values: only the order
/// matters to the walk, and ranks do not let a few outliers or the objective's scale steer the fit). Nothing is
/// learned from anywhere but the race's own trials.</para>
/// <para>The walk: each (re)start evaluates <c>initial</c> distinct random cells and walks from the best by the race's
/// objective. At each ask the predictor scores the centre's untried neighbours (at most <c>pool</c> of them, a fixed
/// pseudo-random choice when the neighbourhood is larger) and the best predicted is evaluated; the walk moves to the
/// first one strictly better than the centre. The walk ends, and the next asks start a new one with <c>initial</c>
/// random cells, at a local optimum (every neighbour tried), after <c>restart</c> evaluations in a row without
/// improving the centre, or after <c>patience</c> of its evaluations without improving the best of the whole search
/// (a walk climbing from a poor start below the search's best is abandoned). Knobs: <c>initial</c> (20),
/// <c>restart</c> (15; 0: off), <c>pool</c> (30; NB201's 24 neighbours all fit), <c>patience</c> (20; 0: off),
/// <c>choice-ridge</c> (30), <c>count-ridge</c> (0.1). The defaults were chosen on NAS-Bench-201's 12-epoch CIFAR-10
/// table only (races of 100 heats × 150 evaluations with <c>--seed 1</c>, against local search; the standings use
/// <c>--seed 0</c>); CIFAR-100 and ImageNet16-120 were not used to choose them. Restarting sooner (<c>restart</c> 5,
/// <c>patience</c> 10) spent too many evaluations on restarts' random cells there.</para>
/// <para>With trials in flight (<see cref="IParallelStrategy"/>), as <see cref="LocalSearch"/>: an ask takes the
/// centre's best predicted neighbour neither evaluated nor in flight (<see cref="SearchContext.Pending"/>), so k asks
/// in a row are k distinct neighbours in predicted order; when every untried neighbour is in flight, or during a
/// (re)start, an ask is a random cell neither evaluated nor in flight. Results move the walk as they come back.</para>
/// </summary>
public sealed class PredictorLocalSearchFactory : IStrategyFactory
{
    public string Name => "predictor-local-search";
    public string Description =>
        "First-improvement local search whose neighbour order comes from a ridge regression on operation features fitted to the ranks of the trials so far.";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("initial", "20", "random architectures evaluated at each (re)start; the walk starts from the best"),
        new("restart", "15", "restart after this many evaluations in a row without improving the centre (0: off)"),
        new(
            "pool",
            "30",
            "most neighbours of the centre the predictor scores per ask (a fixed pseudo-random choice beyond it)"
        ),
        new(
            "patience",
            "20",
            "restart after this many evaluations of a walk without improving the search's best (0: off)"
        ),
        new("choice-ridge", "30", "ridge penalty on the one-hot operation-per-choice features"),
        new("count-ridge", "0.1", "ridge penalty on the operation-count features"),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new PredictorLocalSearch(
            new PredictorLocalSearchSettings(
                Initial: knobs.GetInt("initial", min: 1, max: 100_000),
                Restart: knobs.GetInt("restart", min: 0),
                Pool: knobs.GetInt("pool", min: 1, max: 1_000_000),
                Patience: knobs.GetInt("patience", min: 0),
                ChoiceRidge: knobs.GetDouble("choice-ridge", min: 1e-6, max: 1e9),
                CountRidge: knobs.GetDouble("count-ridge", min: 1e-6, max: 1e9)
            )
        );
}

public sealed record PredictorLocalSearchSettings(
    int Initial,
    int Restart,
    int Pool,
    int Patience,
    double ChoiceRidge,
    double CountRidge
);

public sealed class PredictorLocalSearch(PredictorLocalSearchSettings settings) : IParallelStrategy
{
    private const int MaxRedraws = 100;

    // Tell only records; Ask walks the history, as LocalSearch does: where the walk is follows from the trials alone,
    // and the predictor is refitted from all trials told so far, so an instance rebuilt by replaying the same trials
    // asks exactly what the original would have. The fit is cached by the told count (asks with trials in flight
    // reuse it); the features' Gram matrix grows with each ok trial, so an ask costs O(n·d) for the ranks, not O(n·d²).
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private readonly List<Trial> _sample = [];
    private RankRidge? _predictor;
    private double[]? _weights;
    private int _weightsFrom = -1;
    private int _processed,
        _sinceImprovement,
        _sinceBest;
    private Trial? _centre;
    private double _best = double.NegativeInfinity;

    public Architecture Ask(SearchContext context)
    {
        var space = context.Space;
        _predictor ??= new RankRidge(space, settings.ChoiceRidge, settings.CountRidge);
        for (; _processed < _history.Count; _processed++)
            Walk(_history[_processed], space);
        var inFlight = context.Pending.Select(p => p.Architecture).ToHashSet();
        if (_centre is not null)
        {
            var untried = space
                .Neighbours(_centre.Architecture)
                .Where(a => !_evaluated.Contains(a) && !inFlight.Contains(a))
                .OrderBy(a => StableHash.Of('|', _centre.Architecture.Key, a.Key)) // ties and the pool: a fixed order
                .Take(settings.Pool)
                .ToList();
            if (untried.Count > 0)
            {
                if (_weightsFrom != _history.Count)
                    (_weights, _weightsFrom) = (_predictor.Fit(), _history.Count);
                Architecture best = untried[0];
                double bestPrediction = _predictor.Predict(_weights!, best);
                for (int i = 1; i < untried.Count; i++)
                {
                    double prediction = _predictor.Predict(_weights!, untried[i]);
                    if (prediction > bestPrediction)
                        (best, bestPrediction) = (untried[i], prediction);
                }
                return best;
            }
        }
        var fresh = space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && (_evaluated.Contains(fresh) || inFlight.Contains(fresh)); i++)
            fresh = space.Sample(context.Random);
        return fresh;
    }

    public void Tell(Trial trial) => _history.Add(trial);

    private void Walk(Trial trial, ISearchSpace space)
    {
        _evaluated.Add(trial.Architecture);
        bool newBest = false;
        if (Ok(trial) && space.Contains(trial.Architecture))
        {
            _predictor!.Add(trial.Architecture, trial.Objective!.Value);
            if (trial.Objective!.Value > _best)
                (_best, newBest) = (trial.Objective.Value, true);
        }
        if (_centre is null)
            Sampled(trial);
        else
            Step(trial, newBest);
        if (_centre is not null && space.Neighbours(_centre.Architecture).All(_evaluated.Contains))
            _centre = null;
    }

    private void Sampled(Trial trial)
    {
        _sample.Add(trial);
        if (_sample.Count < settings.Initial)
            return;
        Trial? best = null;
        foreach (var candidate in _sample)
            if (Ok(candidate) && (best is null || candidate.Objective > best.Objective))
                best = candidate; // ties: the first
        _sample.Clear();
        if (best is not null)
            (_centre, _sinceImprovement, _sinceBest) = (best, 0, 0);
    }

    private void Step(Trial trial, bool newBest)
    {
        _sinceBest = newBest ? 0 : _sinceBest + 1;
        if (Ok(trial) && trial.Objective > _centre!.Objective)
            (_centre, _sinceImprovement) = (trial, 0);
        else
            _sinceImprovement++;
        if (
            (settings.Restart > 0 && _sinceImprovement >= settings.Restart)
            || (settings.Patience > 0 && _sinceBest >= settings.Patience)
        )
            _centre = null;
    }

    private static bool Ok(Trial trial) => trial.Status == TrialStatus.Ok && trial.Objective is not null;
}
