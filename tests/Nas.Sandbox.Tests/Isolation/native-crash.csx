// A hostile contestant for --isolation process: crashes in native code at its 3rd ask (libc's memset writes to
// address 8: SIGSEGV, which .NET cannot turn into an exception).
public sealed class NativeCrash : IStrategy
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "memset")]
    private static extern nint MemSet(nint destination, int value, nuint count);

    public Architecture Ask(SearchContext context)
    {
        if (context.AskIndex == 2)
            MemSet(8, 0, 16);
        return context.Space.Sample(context.Random);
    }

    public void Tell(Trial trial) { }
}
