namespace Nas.Sandbox.Core.Racing;

// Faults and sit-outs: a failed ask is journaled and paid for; a contestant that would stall or sink the race (timeouts,
// free steps, memory, crashes) sits out the rest of the heat.
public sealed partial class Referee
{
    /// <summary>Steps in a row that spent nothing after which a contestant sits out the heat, under a seconds budget alone (see <see cref="Judge"/>).</summary>
    public const int MaxFreeStepsInARow = 1000;

    /// <summary>Asks in a row that overran the call timeout after which a contestant sits out the heat.</summary>
    public const int MaxTimeoutsInARow = 3;

    public const string RepeatsPhase = SitOutPhases.Repeats;

    /// <summary>
    /// After a contestant's step: makes it sit out the rest of the heat (a new build brings it back) when it would stall
    /// the race or sink it.
    /// <list type="bullet">
    /// <item>Memory: it ran out, or keeps too much (<see cref="MemoryGuard"/>); its instance is already dropped.</item>
    /// <item>Timeouts: <see cref="MaxTimeoutsInARow"/> asks in a row overran the call timeout. Each costs the whole
    /// timeout in wall time (30 s by default), and a rebuilt instance that hangs again would cost it at every turn.</item>
    /// <item>Free steps: <see cref="MaxFreeStepsInARow"/> steps in a row spent nothing: repeats served from its cache and
    /// asks that failed (threw, returned null or an architecture outside the space) cost no seconds, so under a seconds
    /// budget alone such a strategy would never finish, and the race with it. With an evaluation budget each one uses an
    /// evaluation up, so the budget ends it.</item>
    /// </list>
    /// </summary>
    private void Judge(ContestantRun contestant, RaceSettings settings, int heat, int index)
    {
        if (contestant.Memory.Verdict is not null)
            SitOutForMemory(contestant, heat);
        else if (contestant.TimeoutsInARow >= MaxTimeoutsInARow)
            SitOut(
                contestant,
                heat,
                index,
                SitOutPhases.Timeouts,
                string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"overran the call timeout ({settings.CallTimeout.TotalSeconds:0.###} s) in {MaxTimeoutsInARow} asks in a row; it sits out the rest of the heat"
                )
            );
        else if (settings.Budget is null && contestant.FreeStepsInARow >= MaxFreeStepsInARow)
        {
            int failed = contestant.FailedAsksInARow;
            SitOut(
                contestant,
                heat,
                index,
                failed == 0 ? SitOutPhases.Repeats : SitOutPhases.Faults,
                failed == 0
                    ? $"asked {MaxFreeStepsInARow} times in a row for architectures it had already evaluated; it sits out the rest of the heat"
                    : $"spent nothing in {MaxFreeStepsInARow} asks in a row ({failed} failed, {MaxFreeStepsInARow - failed} repeats), so under a seconds "
                        + "budget alone it would never finish; it sits out the rest of the heat"
            );
        }
    }

    private void SitOut(ContestantRun contestant, int heat, int index, string phase, string reason)
    {
        contestant.Disqualified = true;
        Raise(new ContestantFailed(contestant.Label, heat, index, phase, reason));
    }

    /// <summary>
    /// Drops the instance of a contestant that ran out of memory or keeps too much (it holds the memory; it is not
    /// disposed, having misbehaved), makes it sit out, and collects, so the memory is free before anything is written.
    /// </summary>
    private void DropForMemory(ContestantRun contestant)
    {
        (contestant.Strategy, contestant.NeedsRebuild, contestant.Disqualified) = (null, false, true);
        contestant.Memory.Kept = 0; // what it kept went with it
        _memory.Reclaim();
    }

    /// <summary>Journals why the memory guard dropped a contestant's instance (<see cref="DropForMemory"/>).</summary>
    private void SitOutForMemory(ContestantRun contestant, int heat)
    {
        if (contestant.Memory.Verdict is not { } verdict)
            return;
        contestant.Memory.Verdict = null;
        SitOut(contestant, heat, verdict.Index, SitOutPhases.Memory, verdict.Reason);
    }

    private void Fault(
        ContestantRun contestant,
        int heat,
        int index,
        string phase,
        string message,
        bool crashed = false
    )
    {
        contestant.AskFailed();
        Raise(new ContestantFailed(contestant.Label, heat, index, phase, message, crashed));
    }

    /// <summary>
    /// After a failed call: an instance whose contestant process died or was stopped can take no more calls, so the
    /// contestant is rebuilt by replay in a fresh process before its next ask. True when the process crashed on its own.
    /// </summary>
    private static bool LostProcess(ContestantRun contestant, Isolation.IsolatedStrategy? isolated)
    {
        if (isolated is not { Dead: true })
            return false;
        contestant.NeedsRebuild = true;
        if (isolated.Crashed)
            contestant.RebuildReason = CrashRebuild;
        return isolated.Crashed;
    }

    /// <summary>Process crashes in one heat after which a contestant sits out the rest of the heat (a new build brings it back).</summary>
    public const int MaxCrashesPerHeat = 3;

    public const string CrashesPhase = SitOutPhases.Crashes;

    private void CountCrash(ContestantRun contestant, int heat, int index)
    {
        if (++contestant.Crashes < MaxCrashesPerHeat || contestant.Disqualified)
            return;
        contestant.Disqualified = true;
        Raise(
            new ContestantFailed(
                contestant.Label,
                heat,
                index,
                CrashesPhase,
                $"its process crashed {MaxCrashesPerHeat} times in this heat; it sits out the rest of the heat"
            )
        );
    }
}
