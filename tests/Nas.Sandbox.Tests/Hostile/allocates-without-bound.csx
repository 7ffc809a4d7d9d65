// allocates-without-bound.csx — its first Ask allocates 64 MB blocks forever. In-process, only the managed heap limit
// stops it: the allocation that crosses the limit throws OutOfMemoryException inside this Ask, the referee drops the
// instance, collects, and the contestant sits out the heat (`memory`) instead of the kernel killing the whole race.
// The blocks are neither written to nor cleared (AllocateUninitializedArray): the heap limit counts what the heap
// commits, written or not, and touching every page would only make the test slow where page faults are slow (a call
// that overruns --call-timeout is abandoned by the watchdog before the limit is reached).
public sealed class AllocatesWithoutBound : IStrategy
{
    public Architecture Ask(SearchContext context)
    {
        var blocks = new List<byte[]>();
        while (true)
            blocks.Add(GC.AllocateUninitializedArray<byte>(64 << 20));
    }

    public void Tell(Trial trial) { }
}
