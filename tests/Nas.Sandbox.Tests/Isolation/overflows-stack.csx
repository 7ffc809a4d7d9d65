// A hostile contestant for --isolation process: overflows its stack at its 7th ask.
public sealed class OverflowsStack : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        if (context.AskIndex == 6)
            Recurse(context.AskIndex);
        return context.Space.Sample(context.Random);
    }

    // Not a tail call, so the JIT cannot turn it into a loop.
    private static int Recurse(int n) => n == int.MinValue ? 0 : 1 + Recurse(n + 1);

    public void Tell(Trial trial) { }
}
