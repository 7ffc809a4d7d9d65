// crossover-evolution.csx — aging evolution with uniform crossover.
//
// The idea: regularized ("aging") evolution (Real et al., "Regularized Evolution for Image Classifier Architecture
// Search", AAAI 2019) keeps the `population` most recently evaluated architectures and breeds children by mutating a
// tournament winner; the oldest member dies when a child arrives. This variant breeds by recombination, as a classic
// genetic algorithm does: two parents are chosen by two independent tournaments, the child takes each edge from one of
// them at random (uniform crossover, ISearchSpace.Crossover), and then one edge is mutated with probability
// `mutation`. A child that was already evaluated is mutated again (up to a few times) so the budget buys new points.
//
// How to read it as a how-to:
//  * `#load` pulls in another script file, relative to this one: the Tournament helper lives in lib/tournament.csx.
//  * Knobs come through the factory: `--strategy crossover-evolution:population=20,tournament=5,mutation=0.3`.
//  * The population is rebuilt from Tell calls only and every random draw comes from context.Random.
#load "lib/tournament.csx"

public sealed class CrossoverEvolutionFactory : IStrategyFactory
{
    public string Name => "crossover-evolution";
    public string Description =>
        "Aging evolution breeding by uniform crossover of two tournament winners, then mutation (after Real et al. 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("population", "10", "members: the most recently evaluated architectures"),
        new("tournament", "3", "members drawn per tournament to pick each parent"),
        new("mutation", "0.5", "probability of mutating one edge of the child after crossover"),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        int population = knobs.GetInt("population", min: 2, max: 10_000);
        return new CrossoverEvolution(
            population,
            knobs.GetInt("tournament", min: 1, max: population),
            knobs.GetDouble("mutation", min: 0, max: 1)
        );
    }
}

public sealed class CrossoverEvolution(int populationSize, int tournamentSize, double mutationProbability) : IStrategy
{
    private const int MaxRetries = 10;
    private readonly Queue<(Architecture Architecture, double Objective)> _population = new();
    private readonly HashSet<Architecture> _evaluated = [];

    public Architecture Ask(SearchContext context)
    {
        var space = context.Space;
        var random = context.Random;
        if (_population.Count < populationSize)
            return space.Sample(random);

        var members = _population.ToArray();
        var mother = Tournament.Select(members, tournamentSize, m => m.Objective, random).Architecture;
        var father = Tournament.Select(members, tournamentSize, m => m.Objective, random).Architecture;
        var child = space.Crossover(mother, father, random);
        if (random.NextDouble() < mutationProbability)
            child = space.Mutate(child, random);
        for (int i = 0; i < MaxRetries && _evaluated.Contains(child); i++)
            child = space.Mutate(child, random);
        return child;
    }

    public void Tell(Trial trial)
    {
        _evaluated.Add(trial.Architecture);
        // The race's objective: validation accuracy unless the race scalarises a cost (--objective).
        if (trial.Status != TrialStatus.Ok || trial.Objective is not { } objective)
            return;
        _population.Enqueue((trial.Architecture, objective));
        if (_population.Count > populationSize)
            _population.Dequeue(); // the oldest dies
    }
}
