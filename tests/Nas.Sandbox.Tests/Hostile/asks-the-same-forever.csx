// asks-the-same-forever.csx — asks for one architecture again and again. Repeats are served from the contestant's cache
// and count against an evaluation budget; under a seconds budget alone they cost nothing, so the referee makes it sit
// out (`repeats`) after Referee.MaxFreeStepsInARow of them.
public sealed class AsksTheSameForever : IStrategy
{
    public Architecture Ask(SearchContext context) => context.Space.Sample(new Random(2026));

    public void Tell(Trial trial) { }
}
