namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Optional, for a strategy factory whose strategies cannot search every space (API 2.3): DARTS and GDAS train
/// NAS-Bench-201's supernet, so they search only the <c>nb201</c> cell space. The host asks before the race starts
/// (and before the console adds a contestant), and refuses the contestant with the reason. A factory without it is
/// taken to search any <see cref="ISearchSpace"/>.
/// </summary>
public interface ISpaceRequirement
{
    /// <summary>Null when the strategy can search <paramref name="space"/>; otherwise why not, in one sentence.</summary>
    string? CannotSearch(ISearchSpace space);
}
