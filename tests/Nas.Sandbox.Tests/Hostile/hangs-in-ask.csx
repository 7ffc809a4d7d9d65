// hangs-in-ask.csx — every Ask sleeps forever: the watchdog fails it after --call-timeout and the race goes on without it.
// It sleeps rather than spins: an abandoned call keeps its thread, and a spinning one would also keep a core busy.
public sealed class HangsInAsk : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        Thread.Sleep(Timeout.Infinite);
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
