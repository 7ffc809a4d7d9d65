using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiObjective;

/// <summary>
/// NSGA-II (Deb, Pratap, Agarwal &amp; Meyarivan 2002, "A Fast and Elitist Multiobjective Genetic Algorithm: NSGA-II")
/// as an ask/tell strategy. The first <c>population</c> asks are distinct uniform samples (generation 0). Every later
/// ask breeds a child from the current parent population: two parents by tournament of <c>tournament</c> members
/// (lower non-domination rank wins, then larger crowding distance), the space's uniform crossover with probability
/// <c>crossover</c> (otherwise a copy of the first parent), then <c>mutations</c> one-choice mutations; a child already
/// evaluated is bred again (up to 20 times, then a fresh sample). After every <c>population</c> children, elitist
/// selection keeps the best <c>population</c> of parents ∪ children by fast non-dominated sort, then crowding
/// distance on the last front that fits. Failed trials never enter a population.
/// <para>Objectives: <see cref="Trial.Objectives"/> in a Pareto race; in a single-objective race the scalar
/// <see cref="Trial.Objective"/>, which makes it a plain elitist genetic algorithm.</para>
/// <para>Replay: Tell only records, and the populations are a function of the trials told, so an instance rebuilt by
/// replaying the history asks what the original would have. All randomness comes from <see cref="SearchContext.Random"/>.</para>
/// <para>Sequential (not an <see cref="IParallelStrategy"/>): a generation is <c>population</c> children bred from one
/// parent population, and selection needs all of them back. With trials in flight, children asked while the last
/// generation is still out would be bred from the parents before it and counted in the next generation (generations
/// go by trials told), which is a steady-state variant, not NSGA-II; holding asks back until a generation is in is not
/// something a strategy can do (it must answer every ask).</para>
/// </summary>
public sealed class Nsga2Factory : IStrategyFactory
{
    public string Name => "nsga-ii";
    public string Description =>
        "NSGA-II: non-dominated sorting, crowding distance, tournament, crossover + mutation (Deb et al. 2002).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("population", "20", "parents kept per generation; also the children bred per generation"),
        new("tournament", "2", "members drawn per parent selection (2: binary tournament)"),
        new(
            "crossover",
            "0.9",
            "probability that a child is the uniform crossover of two parents (else a copy of one)"
        ),
        new("mutations", "1", "one-choice mutations applied to every child"),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        int population = knobs.GetInt("population", min: 2, max: 10_000);
        return new Nsga2(
            population,
            knobs.GetInt("tournament", min: 1, max: population),
            knobs.GetDouble("crossover", min: 0, max: 1),
            knobs.GetInt("mutations", min: 0, max: 100)
        );
    }
}

public sealed class Nsga2(int populationSize, int tournamentSize, double crossoverRate, int mutations) : IStrategy
{
    private const int MaxRebreeds = 20;
    private readonly List<Trial> _history = [];
    private readonly HashSet<Architecture> _evaluated = [];

    // The parents after the last complete generation, with their rank and crowding distance.
    private List<Member> _parents = [];
    private int _generationsDone,
        _seen;

    private sealed record Member(Architecture Architecture, IReadOnlyList<double> Objectives)
    {
        public int Rank { get; set; }
        public double Crowding { get; set; }
    }

    public void Tell(Trial trial) => _history.Add(trial);

    public Architecture Ask(SearchContext context)
    {
        for (; _seen < _history.Count; _seen++)
            _evaluated.Add(_history[_seen].Architecture);
        // Generation g covers trials [g·N, (g+1)·N); selection runs once a generation has been fully told.
        while ((_generationsDone + 1) * populationSize <= _history.Count)
            Select(_generationsDone++);
        if (_history.Count < populationSize || _parents.Count < 2)
            return Fresh(context);

        for (int attempt = 0; attempt < MaxRebreeds; attempt++)
        {
            var mother = Tournament(context.Random);
            var child = mother.Architecture;
            if (context.Random.NextDouble() < crossoverRate)
                child = context.Space.Crossover(child, Tournament(context.Random).Architecture, context.Random);
            for (int i = 0; i < mutations; i++)
                child = context.Space.Mutate(child, context.Random);
            if (!_evaluated.Contains(child))
                return child;
        }
        return Fresh(context);
    }

    /// <summary>Elitist selection: parents ∪ the ok children of generation <paramref name="generation"/>, best N by rank then crowding.</summary>
    private void Select(int generation)
    {
        var pool = new List<Member>(_parents);
        var seen = _parents.Select(p => p.Architecture).ToHashSet();
        foreach (var trial in _history.Skip(generation * populationSize).Take(populationSize))
            if (ObjectivesOf(trial) is { } objectives && seen.Add(trial.Architecture))
                pool.Add(new Member(trial.Architecture, objectives));
        var next = new List<Member>();
        var fronts = ParetoRanking.NonDominatedSort(pool.Select(m => m.Objectives).ToArray());
        for (int rank = 0; rank < fronts.Count && next.Count < populationSize; rank++)
        {
            var front = fronts[rank].Select(i => pool[i]).ToList();
            var crowding = ParetoRanking.CrowdingDistance(front.Select(m => m.Objectives).ToArray());
            for (int i = 0; i < front.Count; i++)
                (front[i].Rank, front[i].Crowding) = (rank, crowding[i]);
            // The last front that does not fit whole keeps its least crowded members (a stable sort: ties keep pool order).
            next.AddRange(
                front.Count <= populationSize - next.Count
                    ? front
                    : front.OrderByDescending(m => m.Crowding).Take(populationSize - next.Count)
            );
        }
        // Rank and crowding within the new population, for the tournaments of the next generation.
        var survivors = ParetoRanking.NonDominatedSort(next.Select(m => m.Objectives).ToArray());
        for (int rank = 0; rank < survivors.Count; rank++)
        {
            var front = survivors[rank].Select(i => next[i]).ToList();
            var crowding = ParetoRanking.CrowdingDistance(front.Select(m => m.Objectives).ToArray());
            for (int i = 0; i < front.Count; i++)
                (front[i].Rank, front[i].Crowding) = (rank, crowding[i]);
        }
        _parents = next;
    }

    private Member Tournament(Random random)
    {
        var best = _parents[random.Next(_parents.Count)];
        for (int i = 1; i < tournamentSize; i++)
        {
            var contender = _parents[random.Next(_parents.Count)];
            if (contender.Rank < best.Rank || contender.Rank == best.Rank && contender.Crowding > best.Crowding)
                best = contender;
        }
        return best;
    }

    private Architecture Fresh(SearchContext context)
    {
        var candidate = context.Space.Sample(context.Random);
        for (int i = 0; i < 100 && _evaluated.Contains(candidate); i++)
            candidate = context.Space.Sample(context.Random);
        return candidate;
    }

    /// <summary>The vector NSGA-II sorts by: the Pareto objectives, or the scalar objective of a single-objective race.</summary>
    private static IReadOnlyList<double>? ObjectivesOf(Trial trial) =>
        trial.Status != TrialStatus.Ok ? null
        : trial.Objectives is { Count: > 0 } vector ? vector
        : trial.Objective is { } scalar ? [scalar]
        : null;
}
