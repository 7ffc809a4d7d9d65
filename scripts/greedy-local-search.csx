// greedy-local-search.csx — first-improvement local search (hill climbing with random restarts).
//
// The idea: evaluate a random architecture, then try its neighbours (every architecture that differs in exactly one
// edge) in a random order and move to the first one that is better; when a whole neighbourhood has been tried without
// improvement (a local optimum), restart from a new random architecture. White et al. ("Local Search is State of the
// Art for Neural Architecture Search Benchmarks", 2020) found this simple method competitive on NAS-Bench-201.
//
// How to read it as a how-to:
//  * The script's only public class implements IStrategy and has a parameterless constructor, so the host publishes it
//    as a strategy named after this file: `nas race --strategy greedy-local-search`. No factory, no knobs.
//  * The strategy keeps nothing but what Tell gave it. The referee may rebuild it at any time (a hot swap, a resumed
//    race) by creating a new instance and replaying every Tell; the rebuilt instance must then ask exactly what the
//    old one would have. So all randomness comes from context.Random (fresh for every ask), Tell only records the
//    trial, and Ask derives the search state (current centre, tried neighbours) from the recorded trials.
//  * Tell has no access to the search space, so the walk over the history that needs the space (Neighbours) happens
//    in Ask, once per trial.
using System.ComponentModel;

[Description("First-improvement local search with random restarts (White et al. 2020).")]
public sealed class GreedyLocalSearch : IStrategy
{
    private const int MaxRedraws = 100;

    private readonly List<Trial> _history = []; // every trial, in order: the only source of truth
    private readonly HashSet<Architecture> _evaluated = []; // architectures already paid for
    private int _processed; // how many of _history the walk below has consumed
    private Trial? _centre; // the architecture whose neighbourhood is being tried

    public Architecture Ask(SearchContext context)
    {
        CatchUp(context.Space);
        if (_centre is null)
            return FreshStart(context);
        var untried = Untried(context.Space, _centre.Architecture);
        // A neighbour drawn uniformly from those not yet tried = trying the neighbourhood in a random order.
        return untried[context.Random.Next(untried.Count)];
    }

    public void Tell(Trial trial)
    {
        _history.Add(trial);
        _evaluated.Add(trial.Architecture);
    }

    // Replays the trials not yet walked: the first ok trial after a (re)start becomes the centre; a neighbour that beats
    // the centre becomes the new centre (first improvement); a centre with no untried neighbour left is a local optimum,
    // so the next ask restarts.
    private void CatchUp(ISearchSpace space)
    {
        for (; _processed < _history.Count; _processed++)
        {
            var trial = _history[_processed];
            bool ok = trial.Status == TrialStatus.Ok && trial.Objective is not null;
            if (_centre is null)
            {
                if (ok)
                    _centre = trial;
            }
            else if (ok && trial.Objective > _centre.Objective)
                _centre = trial;
            if (_centre is not null && Untried(space, _centre.Architecture).Count == 0)
                _centre = null;
        }
    }

    private List<Architecture> Untried(ISearchSpace space, Architecture centre) =>
        space.Neighbours(centre).Where(n => !_evaluated.Contains(n)).ToList();

    private Architecture FreshStart(SearchContext context)
    {
        var candidate = context.Space.Sample(context.Random);
        for (int i = 0; i < MaxRedraws && _evaluated.Contains(candidate); i++)
            candidate = context.Space.Sample(context.Random);
        return candidate;
    }
}
