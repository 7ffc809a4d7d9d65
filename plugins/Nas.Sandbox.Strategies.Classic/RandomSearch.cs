using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Classic;

/// <summary>
/// Random search (Bergstra &amp; Bengio, 2012; Li &amp; Talwalkar, 2019 for NAS): uniform samples of the space. The
/// baseline every NAS strategy has to beat. Knob <c>distinct</c> (default true): avoid architectures it has already
/// been told about (up to 100 redraws), as NAS benchmarks usually sample without replacement.
/// <para>With trials in flight (<see cref="IParallelStrategy"/>): every ask is independent of the others, so it runs
/// on as many workers as the race gives it. With <c>distinct</c>, the architectures still being evaluated
/// (<see cref="SearchContext.Pending"/>) are avoided like the ones told; without it, repeats stay allowed.</para>
/// </summary>
public sealed class RandomSearchFactory : IStrategyFactory
{
    public string Name => "random-search";
    public string Description => "Uniform random sampling of the space (Li & Talwalkar 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [new("distinct", "true", "avoid architectures already evaluated or in flight (true/false)")];

    public IStrategy Create(KnobValues knobs) => new RandomSearch(knobs.GetBool("distinct"));
}

public sealed class RandomSearch(bool distinct) : IParallelStrategy
{
    private const int MaxRedraws = 100;

    // Only finished trials: what is in flight comes from the context, so a rebuilt instance asks the same.
    private readonly HashSet<Architecture> _seen = [];

    public Architecture Ask(SearchContext context)
    {
        var inFlight = context.Pending.Select(p => p.Architecture).ToHashSet();
        var candidate = context.Space.Sample(context.Random);
        for (int i = 0; distinct && i < MaxRedraws && (_seen.Contains(candidate) || inFlight.Contains(candidate)); i++)
            candidate = context.Space.Sample(context.Random);
        return candidate;
    }

    public void Tell(Trial trial) => _seen.Add(trial.Architecture);
}
