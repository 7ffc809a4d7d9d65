// A hostile contestant: spins forever (a busy loop, no sleep) in its 4th ask.
public sealed class Spins : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        if (context.AskIndex == 3)
            while (true) { }
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
