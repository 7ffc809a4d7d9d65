using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Core.Journal;

/// <summary>Where race events are recorded, in order, before anyone else hears of them.</summary>
public interface IRaceJournal
{
    void Append(RaceEvent raceEvent);
}
