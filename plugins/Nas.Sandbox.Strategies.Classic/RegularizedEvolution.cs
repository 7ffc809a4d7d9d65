using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Classic;

/// <summary>
/// Regularized ("aging") evolution: Algorithm 1 of Real, Aggarwal, Huang &amp; Le, "Regularized Evolution for Image
/// Classifier Architecture Search" (AAAI 2019), as NAS-Bench-201 runs it (<c>regularized_evolution</c> in
/// D-X-Y/AutoDL-Projects, exps/algos/R_EA.py, with <c>--ea_population 10 --ea_sample_size 3</c>). The population is a
/// queue of the <c>population</c> most recently evaluated architectures. Until it is full, asks are uniform samples.
/// Then each ask draws <c>sample</c> members at random with replacement, takes the best by the race's objective
/// (<see cref="Trial.Objective"/>: validation accuracy unless the race says otherwise; ties: the first drawn) as parent,
/// and applies <c>mutations</c> one-edge mutations (an edge at random, a different operation at random); each evaluated
/// child joins at the young end and the oldest member dies, whatever its score. Children may repeat an architecture
/// already evaluated, as in the paper: the referee serves a repeat from the contestant's cache, it counts as an
/// evaluation and joins the population again.
/// <para>Failed, diverged and timed-out trials never join the population (nor age anyone out of it): the paper has no
/// failures, and a trial without an objective has no place in a tournament. So the population is the most recent
/// <c>population</c> ok trials.</para>
/// <para>Knob <c>distinct</c> (default false, the paper's algorithm): true redraws (tournament and mutation, up to 100
/// times) a child that was already evaluated. On a small space the paper's algorithm spends many evaluations on
/// repeats (366 of 1,500 asks on the shipped 729-cell table at 150 evaluations); this variant does not.</para>
/// <para>With trials in flight (<see cref="IParallelStrategy"/>), it runs asynchronously, as Real et al. ran it on
/// their workers: each ask (a free worker) draws the tournament from the population as it is now, the ok trials that
/// have come back, and mutates the winner; trials still in flight take no part in tournaments. The population ages in
/// the order trials come back (the oldest to finish dies first). The initial random fill counts the trials in flight
/// (<see cref="SearchContext.Pending"/>): an ask is a uniform sample while fewer than <c>population</c> ok trials are
/// in the population and pending together, so several workers do not draw more random cells than one would; once
/// enough are in flight, an ask breeds from the members already back (a uniform sample while none is back yet).
/// With <c>distinct</c>, children in flight are redrawn like the evaluated ones.</para>
/// </summary>
public sealed class RegularizedEvolutionFactory : IStrategyFactory
{
    public string Name => "regularized-evolution";
    public string Description => "Aging evolution: tournament selection + mutation, oldest dies (Real et al. 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("population", "10", "size of the population (the most recent evaluated architectures)"),
        new("sample", "3", "tournament size: members drawn (with replacement) to pick the parent"),
        new("mutations", "1", "one-edge mutations applied to the parent per child"),
        new(
            "distinct",
            "false",
            "redraw children that were already evaluated or are in flight (true/false; false is the paper's algorithm)"
        ),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        int population = knobs.GetInt("population", min: 2);
        int sample = knobs.GetInt("sample", min: 1, max: population);
        int mutations = knobs.GetInt("mutations", min: 1, max: 100);
        return new RegularizedEvolution(population, sample, mutations, knobs.GetBool("distinct"));
    }
}

public sealed class RegularizedEvolution(int populationSize, int sampleSize, int mutations, bool distinct = false)
    : IParallelStrategy
{
    private const int MaxRedraws = 100;

    // Oldest at the front. Tell alone changes it, and only from the trial told, so replaying the trials rebuilds it;
    // the trials in flight are read from the context at each ask, never kept here.
    private readonly Queue<(Architecture Architecture, double Objective)> _population = new();
    private readonly HashSet<Architecture> _evaluated = [];

    public Architecture Ask(SearchContext context)
    {
        var inFlight = distinct ? context.Pending.Select(p => p.Architecture).ToHashSet() : [];
        var child = Breed(context);
        for (int i = 0; distinct && i < MaxRedraws && (_evaluated.Contains(child) || inFlight.Contains(child)); i++)
            child = Breed(context);
        return child;
    }

    private Architecture Breed(SearchContext context)
    {
        // The pending trials will (mostly) join the population: counting them keeps the random fill at `population`
        // trials however many workers there are. With nothing back yet there is no one to breed from.
        if (_population.Count + context.Pending.Count < populationSize || _population.Count == 0)
            return context.Space.Sample(context.Random);
        var members = _population.ToArray();
        var parent = members[context.Random.Next(members.Length)];
        for (int i = 1; i < sampleSize; i++)
        {
            var contender = members[context.Random.Next(members.Length)];
            if (contender.Objective > parent.Objective)
                parent = contender;
        }
        var child = parent.Architecture;
        for (int i = 0; i < mutations; i++)
            child = context.Space.Mutate(child, context.Random);
        return child;
    }

    public void Tell(Trial trial)
    {
        _evaluated.Add(trial.Architecture);
        if (trial.Status != TrialStatus.Ok || trial.Objective is not { } objective)
            return;
        _population.Enqueue((trial.Architecture, objective));
        if (_population.Count > populationSize)
            _population.Dequeue();
    }
}
