// A hostile contestant for --isolation process: calls Environment.Exit at its 5th ask (and at every 5th after).
public sealed class Exits : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        if (context.AskIndex % 5 == 4)
            System.Environment.Exit(42);
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
