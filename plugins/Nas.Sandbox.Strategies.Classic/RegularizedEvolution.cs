using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Classic;

/// <summary>
/// Regularized ("aging") evolution (Real et al., 2019, "Regularized Evolution for Image Classifier Architecture
/// Search"). The population is the <c>population</c> most recently evaluated architectures; until it is full, asks are
/// uniform samples. Then each ask draws <c>sample</c> members at random, takes the best by the race's objective (<see cref="Trial.Objective"/>: validation accuracy unless the race says otherwise) as parent
/// and applies <c>mutations</c> one-edge mutations; the oldest member dies as each new one arrives. Failed, diverged
/// and timed-out trials never join the population. Knob <c>distinct</c> (default true): redraw (tournament and
/// mutation, up to 100 times) a child that was already evaluated. Without it, on a small space the search spends a
/// quarter of its budget on repeats: 366 of 1,500 asks on the shipped 729-cell table at 150 evaluations, since a
/// repeat still counts as an evaluation (the referee serves it from the contestant's cache).
/// </summary>
public sealed class RegularizedEvolutionFactory : IStrategyFactory
{
    public string Name => "regularized-evolution";
    public string Description => "Aging evolution: tournament selection + mutation, oldest dies (Real et al. 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        new("population", "10", "size of the population (the most recent evaluated architectures)"),
        new("sample", "3", "tournament size: members drawn to pick the parent"),
        new("mutations", "1", "one-edge mutations applied to the parent per child"),
        new("distinct", "true", "redraw children that were already evaluated (true/false)"),
    ];

    public IStrategy Create(KnobValues knobs)
    {
        int population = knobs.GetInt("population", min: 2);
        int sample = knobs.GetInt("sample", min: 1, max: population);
        int mutations = knobs.GetInt("mutations", min: 1, max: 100);
        return new RegularizedEvolution(population, sample, mutations, knobs.GetBool("distinct"));
    }
}

public sealed class RegularizedEvolution(int populationSize, int sampleSize, int mutations, bool distinct = true) : IStrategy
{
    private const int MaxRedraws = 100;
    private readonly Queue<(Architecture Architecture, double Objective)> _population = new();
    private readonly HashSet<Architecture> _evaluated = [];

    public Architecture Ask(SearchContext context)
    {
        var child = Breed(context);
        for (int i = 0; distinct && i < MaxRedraws && _evaluated.Contains(child); i++) child = Breed(context);
        return child;
    }

    private Architecture Breed(SearchContext context)
    {
        if (_population.Count < populationSize) return context.Space.Sample(context.Random);
        var members = _population.ToArray();
        var parent = members[context.Random.Next(members.Length)];
        for (int i = 1; i < sampleSize; i++)
        {
            var contender = members[context.Random.Next(members.Length)];
            if (contender.Objective > parent.Objective) parent = contender;
        }
        var child = parent.Architecture;
        for (int i = 0; i < mutations; i++) child = context.Space.Mutate(child, context.Random);
        return child;
    }

    public void Tell(Trial trial)
    {
        _evaluated.Add(trial.Architecture);
        if (trial.Status != TrialStatus.Ok || trial.Objective is not { } objective) return;
        _population.Enqueue((trial.Architecture, objective));
        if (_population.Count > populationSize) _population.Dequeue();
    }
}
