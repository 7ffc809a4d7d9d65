namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The phases of <c>contestant-failed</c> lines after which a contestant sits out the rest of its heat (until a new build
/// of its strategy arrives). A resumed race replays them (<see cref="ResumePoint"/>), so it does not run the culprit again.
/// </summary>
public static class SitOutPhases
{
    /// <summary>It only asked for architectures it had already evaluated, under a seconds budget alone.</summary>
    public const string Repeats = "repeats";

    /// <summary>Its asks failed (or repeated) without spending anything, under a seconds budget alone.</summary>
    public const string Faults = "faults";

    /// <summary>Its asks overran the call timeout several times in a row.</summary>
    public const string Timeouts = "timeouts";

    /// <summary>It ran out of managed memory, or keeps more than a contestant may; its instance was dropped.</summary>
    public const string Memory = "memory";

    /// <summary>Its contestant process crashed <see cref="Referee.MaxCrashesPerHeat"/> times in the heat (<c>--isolation process</c>).</summary>
    public const string Crashes = "crashes";

    public static bool Contains(string? phase) => phase is Repeats or Faults or Timeouts or Memory or Crashes;
}
