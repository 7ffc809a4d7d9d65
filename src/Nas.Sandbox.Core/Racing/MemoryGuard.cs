using System.Globalization;
using System.Runtime;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Keeps an in-process contestant that allocates without bound from taking the race down: contestants share the
/// race's managed heap, and a process that grows until the kernel's out-of-memory killer steps in loses everyone's race.
/// <para>First line, the heap limit: `nas` runs with a hard limit on its managed heap (<c>System.GC.HeapHardLimitPercent</c>
/// in the CLI's runtimeconfig; <c>DOTNET_GCHeapHardLimit</c> overrides it). An allocation past the limit throws
/// <see cref="OutOfMemoryException"/> inside the call that made it; the referee thread catches it as a failed call
/// (<see cref="CallOutcome{T}.OutOfMemory"/>), the referee drops the instance (its fields may hold the memory) and
/// collects before it writes anything, and the contestant sits out the rest of the heat.</para>
/// <para>Second line, per contestant: a strategy that returns normally but keeps what it allocated (a cache growing by
/// hundreds of megabytes a call) fills the heap slowly, and the allocation that finally fails may be anyone's. So once
/// a contestant's calls have allocated <see cref="CheckEvery"/> bytes since its last check (counted on the referee
/// thread, where its calls run inline, for a few nanoseconds a call), the guard collects the whole heap and estimates
/// what the contestant left on it; past <see cref="ContestantLimit"/> (<c>--contestant-memory</c>) its instance is
/// dropped and it sits out. The collection is made at once after a call that allocated that much by itself, and after
/// many small calls only when the heap, garbage included, has grown by more than the contestant's headroom since the
/// last collection: a tabular race of the built-in strategies makes none.</para>
/// <para>The estimate is a lower bound, so an innocent contestant is never blamed for another's memory: what the live
/// heap grew by since the previous check (by anyone), minus everything allocated since then other than by this
/// contestant (others can have kept at most what they allocated). A hog that grows by small steps between other
/// contestants' allocations may stay under it, and then meets the heap limit instead.</para>
/// <para>Not covered in-process: memory a strategy keeps in static fields (it outlives the instance), native memory
/// (TorchSharp tensors are not on the managed heap), and a call that overran its time limit (it goes on allocating on
/// its abandoned thread). Running contestants in their own processes measures and frees all of it.</para>
/// </summary>
internal sealed class MemoryGuard
{
    private const long MiB = 1 << 20;
    private const double GiB = 1 << 30;

    private long _live; // live heap at the last check (or, before any, the heap with its garbage: an upper bound)
    private long _liveAtLeast; // the same, or before any check 0: a lower bound, for deciding whether to collect at all
    private long _allocated; // bytes the process had allocated then
    private int _epoch; // counts checks: a contestant's allocation since the last check is kept per epoch

    /// <param name="contestantGiB">
    /// <c>--contestant-memory</c>; null for the default, a quarter of the heap limit: room for the three or four
    /// contestants a race usually has, and for the host.
    /// </param>
    public MemoryGuard(double? contestantGiB)
    {
        // The hard limit when one is set (always, for `nas`), else the machine's (or container's) memory.
        HeapLimit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        ContestantLimit = contestantGiB is { } gib ? (long)(gib * GiB) : HeapLimit / 4;
        // An eighth of the limit, so a hog is seen well before it reaches it; at most 64 MiB, so a strategy that
        // allocates (and drops) a lot costs at most one full collection per 64 MiB it allocates.
        CheckEvery = Math.Clamp(ContestantLimit / 8, MiB, 64 * MiB);
        _live = GC.GetTotalMemory(forceFullCollection: false);
        _allocated = GC.GetTotalAllocatedBytes();
    }

    /// <summary>What the managed heap may grow to in this process (its hard limit, when set).</summary>
    public long HeapLimit { get; }

    /// <summary>What one contestant may keep on the managed heap.</summary>
    public long ContestantLimit { get; }

    /// <summary>Bytes a contestant allocates between two looks at what it keeps.</summary>
    public long CheckEvery { get; }

    /// <summary>
    /// Looks at one call of a contestant. True when its instance must be dropped: the call ran out of memory, or the
    /// contestant keeps more than its limit. The reason is then in <see cref="MemoryAccount.Verdict"/>, to journal once
    /// the instance is gone and the heap collected (<see cref="Reclaim"/>).
    /// </summary>
    /// <param name="phase">create, ask, tell or replay.</param>
    public bool Observe(ContestantRun contestant, string phase, int index, long allocated, bool outOfMemory)
    {
        var account = contestant.Memory;
        // A replay builds a new instance to replace the one measured so far (a new build, a rebuild): start afresh,
        // or during a hot swap, when both are alive, a strategy would be counted twice.
        if (phase == "replay")
            account.Kept = 0;
        if (outOfMemory)
        {
            account.Verdict = (
                index,
                $"ran out of memory in {Call(phase)} (managed heap limit {Gib(HeapLimit)}); its instance was dropped and it sits out the rest of the heat"
            );
            return true;
        }
        if (account.Epoch != _epoch)
            (account.Epoch, account.SinceEpoch) = (_epoch, 0);
        account.SinceEpoch += allocated;
        account.SinceCheck += allocated;
        if (account.SinceCheck < CheckEvery)
            return false;

        account.SinceCheck = 0;
        // A call that allocated CheckEvery bytes by itself is always looked at: right after it, before anyone else's
        // allocations blur what it kept. Many small calls that add up to it are looked at only if the heap as it stands
        // (garbage included, so at least what is live) has grown since the last collection by more than the contestant
        // could still keep: strategies that allocate and let go (about 100 KB an ask for the built-in evolution) then
        // cost a look at a counter, not a full collection every 600 asks.
        if (
            allocated < CheckEvery
            && account.Kept + GC.GetTotalMemory(forceFullCollection: false) - _liveAtLeast <= ContestantLimit
        )
            return false;
        long liveBefore = _live;
        long othersAllocated = Math.Max(0, GC.GetTotalAllocatedBytes() - _allocated - account.SinceEpoch);
        long live = Collect(reclaim: false);
        // Never more than the whole live heap (a contestant that freed memory unseen, then grew again, is not counted twice).
        account.Kept = Math.Clamp(account.Kept + (live - liveBefore - othersAllocated), 0, live);
        if (account.Kept <= ContestantLimit)
            return false;
        account.Verdict = (
            index,
            $"kept about {Mib(account.Kept)} of managed memory after {Call(phase)} (limit {Mib(ContestantLimit)} per contestant, "
                + "--contestant-memory); its instance was dropped and it sits out the rest of the heat"
        );
        return true;
    }

    /// <summary>
    /// After an instance was dropped: a full collection that compacts and gives back what it freed (aggressive). A
    /// plain one keeps the freed regions committed, and they count against the heap limit: measured, after a hog filled
    /// a 1 GiB heap with 64 MiB blocks, 960 MiB stayed committed and the next 200 MiB allocation failed, anyone's.
    /// </summary>
    public void Reclaim() => Collect(reclaim: true);

    private long Collect(bool reclaim)
    {
        if (reclaim)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        else
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        _live = _liveAtLeast = GC.GetTotalMemory(forceFullCollection: false);
        _allocated = GC.GetTotalAllocatedBytes();
        _epoch++;
        return _live;
    }

    private static string Call(string phase) =>
        phase switch
        {
            "create" => "its constructor",
            "ask" => "Ask",
            "tell" => "Tell",
            "replay" => "the replay of its history",
            _ => phase,
        };

    private static string Gib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / GiB:0.##} GiB");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / MiB:0} MiB");
}

/// <summary>One contestant's memory, as <see cref="MemoryGuard"/> sees it.</summary>
internal sealed class MemoryAccount
{
    /// <summary>Bytes allocated since this contestant's last check.</summary>
    public long SinceCheck { get; set; }

    /// <summary>Bytes allocated since the guard's last check of anyone (<see cref="Epoch"/>).</summary>
    public long SinceEpoch { get; set; }
    public int Epoch { get; set; }

    /// <summary>What it keeps on the managed heap, at least (a lower bound).</summary>
    public long Kept { get; set; }

    /// <summary>Why its instance was dropped, and at which step; the referee journals it, then clears it.</summary>
    public (int Index, string Reason)? Verdict { get; set; }
}
