using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// Local search as White, Nolen &amp; Savani ran it ("Local Search is State of the Art for Neural Architecture Search
/// Benchmarks", arXiv 2005.02960, 2020; "Exploring the Loss Landscape in Neural Architecture Search", UAI 2021): the
/// <c>local_search</c> function of their code (naszilla/naszilla; realityengines/local_search) at its defaults,
/// <c>num_init=10</c>, <c>query_full_nbhd=False</c>, <c>stop_at_minimum=True</c>, as naszilla's experiments run it.
/// Each (re)start evaluates <c>initial</c> distinct random architectures and walks from the best of them by the race's
/// objective (<see cref="Trial.Objective"/>): the centre's neighbours (one choice changed) not evaluated yet are tried
/// in a shuffled order and the walk moves to the first that is strictly better (first improvement, not the best
/// neighbour). When a whole neighbourhood brings nothing (a local optimum), it restarts with <c>initial</c> new random
/// architectures. (The first arXiv text describes the plain hill climber, one random start and a move to the best
/// neighbour; <c>initial=1</c> gives its start, not its move.)
/// Knobs: <c>initial</c> (10, the code's <c>num_init</c>); <c>restart-after</c> (0): also restart after this many
/// evaluations without improvement (0: only at a local optimum, as the paper's code).
/// <para>With trials in flight (<see cref="IParallelStrategy"/>), it walks several neighbours of the centre at once:
/// an ask takes the centre's next neighbour in the same fixed order, skipping the ones evaluated and the ones still in
/// flight (<see cref="SearchContext.Pending"/>), so k asks in a row are k distinct neighbours, the ones a sequential
/// walk would try first. Results are taken as they come back, first improvement still: the first one strictly better
/// than the centre becomes the centre at once, and a result that comes back later (a neighbour of an earlier centre,
/// or a random cell) is compared with the centre as it is then, and moves the walk only if it is strictly better. A
/// centre is a local optimum once all its neighbours have come back. While every untried neighbour is in flight, a
/// free worker draws a random cell (neither evaluated nor in flight), a head start on the restart that follows if no
/// pending neighbour improves; such cells, and neighbours that come back after a restart, count towards the new
/// restart's <c>initial</c> cells like its random ones. During a (re)start every ask is a random cell, distinct from
/// those evaluated and in flight.</para>
/// </summary>
public sealed class LocalSearchFactory : IStrategyFactory
{
    public string Name => "local-search";
    public string Description =>
        "First-improvement local search from the best of a random sample, restarting at local optima (White, Nolen & Savani 2020).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new(
            "initial",
            "10",
            "random architectures evaluated at each (re)start; the walk starts from the best (the paper's code: num_init)"
        ),
        new(
            "restart-after",
            "0",
            "restart after this many evaluations without improvement (0: only at a local optimum)"
        ),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new LocalSearch(knobs.GetInt("initial", min: 1, max: 100_000), knobs.GetInt("restart-after", min: 0));
}

public sealed class LocalSearch(int initial, int restartAfter) : IParallelStrategy
{
    private const int MaxRedraws = 100;

    // Tell only records; Ask walks the history (it knows the space). Nothing depends on when asks happened: the order
    // in which a centre's neighbours are tried is a fixed shuffle of that centre's neighbourhood, and whether a trial
    // belongs to a restart's random sample or to a walk follows from the trials before it, so an instance rebuilt by
    // replaying the same trials asks exactly what the original would have. What is in flight is read from the context
    // at each ask and never kept, for the same reason.
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private readonly List<Trial> _sample = []; // the current (re)start's random architectures, until there are `initial`
    private int _processed,
        _sinceImprovement;
    private Trial? _centre;

    public Architecture Ask(SearchContext context)
    {
        for (; _processed < _history.Count; _processed++)
            Walk(_history[_processed], context.Space);
        var inFlight = context.Pending.Select(p => p.Architecture).ToHashSet();
        if (_centre is not null)
        {
            var next = context
                .Space.Neighbours(_centre.Architecture)
                .Where(a => !_evaluated.Contains(a) && !inFlight.Contains(a))
                .OrderBy(a => StableHash.Of('|', _centre.Architecture.Key, a.Key)) // a fixed pseudo-random order around a centre
                .FirstOrDefault();
            if (next is not null)
                return next;
        }
        // A (re)start, or a free worker while the whole neighbourhood is in flight: distinct random architectures, as
        // the paper's code never queries one twice.
        var fresh = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && (_evaluated.Contains(fresh) || inFlight.Contains(fresh)); i++)
            fresh = context.Space.Sample(context.Random);
        return fresh;
    }

    public void Tell(Trial trial) => _history.Add(trial);

    private void Walk(Trial trial, ISearchSpace space)
    {
        _evaluated.Add(trial.Architecture);
        if (_centre is null)
            Sampled(trial);
        else
            Step(trial);
        // A local optimum (every neighbour tried without improvement) ends the walk here, after this trial, not at the
        // next ask: an instance that replays many trials in one go must restart exactly where the original did. As in
        // the paper's code, neighbours evaluated before (by another walk or a sample) count as tried.
        if (_centre is not null && space.Neighbours(_centre.Architecture).All(_evaluated.Contains))
            _centre = null;
    }

    /// <summary>A trial of a (re)start's random sample: once there are <c>initial</c>, the best ok one becomes the centre.</summary>
    private void Sampled(Trial trial)
    {
        _sample.Add(trial);
        if (_sample.Count < initial)
            return;
        Trial? best = null;
        foreach (var candidate in _sample)
            if (Ok(candidate) && (best is null || candidate.Objective > best.Objective))
                best = candidate; // ties: the first
        _sample.Clear();
        // No ok trial in the sample leaves no centre: the next asks draw a new sample.
        if (best is not null)
            (_centre, _sinceImprovement) = (best, 0);
    }

    private void Step(Trial trial)
    {
        if (Ok(trial) && trial.Objective > _centre!.Objective)
        {
            (_centre, _sinceImprovement) = (trial, 0);
            return;
        }
        if (restartAfter > 0 && ++_sinceImprovement >= restartAfter)
            _centre = null;
    }

    private static bool Ok(Trial trial) => trial.Status == TrialStatus.Ok && trial.Objective is not null;
}
