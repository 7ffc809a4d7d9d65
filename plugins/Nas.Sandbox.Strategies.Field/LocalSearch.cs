using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// Local search (White et al., "Local Search is State of the Art for NAS Benchmarks", 2020): from a random
/// architecture, evaluate its neighbours (one choice changed) in random order and move to the first that is better
/// (first improvement, by the race's objective, <see cref="Trial.Objective"/>); when a whole neighbourhood brings nothing, restart from a new random architecture.
/// Knob <c>restart-after</c> (0): also restart after this many evaluations without improvement (0: only at a local
/// optimum).
/// </summary>
public sealed class LocalSearchFactory : IStrategyFactory
{
    public string Name => "local-search";
    public string Description => "First-improvement local search with random restarts (White et al. 2020).";
    public IReadOnlyList<Knob> Knobs { get; } = [new("restart-after", "0", "restart after this many evaluations without improvement (0: only at a local optimum)")];

    public IStrategy Create(KnobValues knobs) => new LocalSearch(knobs.GetInt("restart-after", min: 0));
}

public sealed class LocalSearch(int restartAfter) : IStrategy
{
    private const int MaxRedraws = 100;
    // Tell only records; Ask walks the history (it knows the space). Nothing depends on when asks happened: the order
    // in which a centre's neighbours are tried is a fixed shuffle of that centre's neighbourhood, so an instance
    // rebuilt by replaying the same trials asks exactly what the original would have.
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];
    private int _processed, _sinceImprovement;
    private Trial? _centre;

    public Architecture Ask(SearchContext context)
    {
        for (; _processed < _history.Count; _processed++) Walk(_history[_processed], context.Space);
        if (_centre is not null)
        {
            var next = context.Space.Neighbours(_centre.Architecture)
                .Where(a => !_evaluated.Contains(a))
                .OrderBy(a => Shuffle(_centre.Architecture.Key, a.Key))
                .FirstOrDefault();
            if (next is not null) return next;
        }
        var fresh = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && _evaluated.Contains(fresh); i++) fresh = context.Space.Sample(context.Random);
        return fresh;
    }

    public void Tell(Trial trial) => _history.Add(trial);

    private void Walk(Trial trial, ISearchSpace space)
    {
        _evaluated.Add(trial.Architecture);
        Step(trial);
        // A local optimum (every neighbour tried without improvement) ends the walk here, after this trial, not at the
        // next ask: an instance that replays many trials in one go must restart exactly where the original did.
        if (_centre is not null && space.Neighbours(_centre.Architecture).All(_evaluated.Contains)) _centre = null;
    }

    private void Step(Trial trial)
    {
        bool ok = trial.Status == TrialStatus.Ok && trial.Objective is not null;
        if (_centre is null)
        {
            // The first result after a (re)start is the new centre; a failed one leaves none, so the next ask restarts.
            if (ok) (_centre, _sinceImprovement) = (trial, 0);
            return;
        }
        if (ok && trial.Objective > _centre.Objective)
        {
            (_centre, _sinceImprovement) = (trial, 0);
            return;
        }
        if (restartAfter > 0 && ++_sinceImprovement >= restartAfter) _centre = null;
    }

    /// <summary>A fixed pseudo-random rank of a neighbour around a centre (FNV-1a of both keys; string.GetHashCode is per process).</summary>
    private static ulong Shuffle(string centre, string neighbour)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in centre) hash = (hash ^ c) * 1099511628211;
        hash = (hash ^ '|') * 1099511628211;
        foreach (char c in neighbour) hash = (hash ^ c) * 1099511628211;
        return hash;
    }
}
