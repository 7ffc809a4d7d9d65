namespace Nas.Sandbox.Abstractions;

/// <summary>
/// A strategy that may be asked again before its earlier trials have come back (API 2.1), so that a race with several
/// workers (<c>--workers N</c>) keeps them busy: at each ask, <see cref="SearchContext.Pending"/> lists the trials it
/// asked for that are still being evaluated, and their results arrive by <see cref="IStrategy.Tell"/> in the order
/// they finish, which need not be the order they were asked.
/// <para>A strategy that does not implement this interface (every strategy written against API 1.x or 2.0) is never
/// asked while one of its trials is pending: it races on one worker at a time, exactly as before.</para>
/// <para>Rebuild by replay still holds: a new instance is told the finished trials in the order they finished, then
/// asked with the same <see cref="SearchContext.Pending"/>, and must give the same answer as the instance it replaces.
/// Keep what is in flight out of your own state: read it from the context.</para>
/// </summary>
public interface IParallelStrategy : IStrategy
{
    /// <summary>
    /// The most trials this strategy wants in flight at once; the race's workers cap it further. The default, no limit of
    /// its own, suits an asynchronous strategy; a strategy that needs results before it can go on may return a smaller
    /// number (1 makes it sequential again).
    /// </summary>
    int MaxInFlight => int.MaxValue;
}

/// <summary>A trial a strategy asked for that has not come back yet (<see cref="SearchContext.Pending"/>).</summary>
public sealed record PendingTrial
{
    /// <summary>0-based index of the trial (its ask's <see cref="SearchContext.AskIndex"/>).</summary>
    public required int Index { get; init; }
    public required Architecture Architecture { get; init; }
    public Fidelity Fidelity { get; init; } = new();

    /// <summary>The rung of <see cref="SearchContext.Fidelities"/> it was asked at (API 2.2).</summary>
    public int? Rung { get; init; }

    /// <summary>The trial it continues, when it is a continuation (API 2.2).</summary>
    public int? Continues { get; init; }
}
