// throws-in-tell.csx — asks sensibly, but every Tell throws: the trial counts, the `tell` failure is journaled.
public sealed class ThrowsInTell : IStrategy
{
    public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);

    public void Tell(Trial trial) =>
        throw new InvalidOperationException($"hostile: Tell of trial #{trial.Index} refuses to listen");
}
