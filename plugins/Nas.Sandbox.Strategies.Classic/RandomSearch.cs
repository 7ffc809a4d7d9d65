using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Classic;

/// <summary>
/// Random search (Bergstra &amp; Bengio, 2012; Li &amp; Talwalkar, 2019 for NAS): uniform samples of the space. The
/// baseline every NAS strategy has to beat. Knob <c>distinct</c> (default true): avoid architectures it has already
/// been told about (up to 100 redraws), as NAS benchmarks usually sample without replacement.
/// </summary>
public sealed class RandomSearchFactory : IStrategyFactory
{
    public string Name => "random-search";
    public string Description => "Uniform random sampling of the space (Li & Talwalkar 2019).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [new("distinct", "true", "avoid architectures already evaluated (true/false)")];

    public IStrategy Create(KnobValues knobs) => new RandomSearch(knobs.GetBool("distinct"));
}

public sealed class RandomSearch(bool distinct) : IStrategy
{
    private const int MaxRedraws = 100;
    private readonly HashSet<Architecture> _seen = [];

    public Architecture Ask(SearchContext context)
    {
        var candidate = context.Space.Sample(context.Random);
        for (int i = 0; distinct && i < MaxRedraws && _seen.Contains(candidate); i++)
            candidate = context.Space.Sample(context.Random);
        return candidate;
    }

    public void Tell(Trial trial) => _seen.Add(trial.Architecture);
}
