// hoards-memory.csx — answers sensibly, but every Ask keeps 200 MB more in a field and returns normally, so the heap
// grows between calls and the out-of-memory error could land in someone else's call. The referee looks at what a
// contestant that allocated a lot keeps on the heap (after a full collection) and drops its instance once that is more
// than a contestant may keep (--contestant-memory), journaled as `memory`. Blocks are neither written to nor cleared
// (see allocates-without-bound.csx).
public sealed class HoardsMemory : IStrategy
{
    private readonly List<byte[]> _hoard = [];

    public Architecture Ask(SearchContext context)
    {
        _hoard.Add(GC.AllocateUninitializedArray<byte>(200 << 20));
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
