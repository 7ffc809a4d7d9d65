namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Contestant calls that overran the call timeout and are still running in this process: the watchdog abandoned them
/// (<see cref="RefereeThread"/>), and no thread can be stopped from outside. Process-wide, as threads and libtorch are.
/// <para>Why it matters: such a call may be inside libtorch (a supernet's training step). Freeing tensors it may still
/// read, or ending the process normally (which runs libtorch's static destructors under it), crashes the process. So
/// the referee waits for them (bounded), a heat's training data still in use is left to the garbage collector instead
/// of being disposed, and the CLI leaves without native teardown when some are still running at its end.</para>
/// </summary>
public static class AbandonedCalls
{
    private static int _running;

    /// <summary>How many abandoned calls have not returned yet.</summary>
    public static int Running => Volatile.Read(ref _running);

    internal static void Started() => Interlocked.Increment(ref _running);

    internal static void Returned() => Interlocked.Decrement(ref _running);
}
