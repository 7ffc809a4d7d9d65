using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The race's contestants across heats: who races, under which label, and the build and knobs each will start the
/// next heat with (the newest it was swapped to). Contestants can join and leave mid-race; a label is never reused,
/// so a contestant removed and added again does not inherit the old one's heats.
/// </summary>
internal sealed class RaceLineup
{
    private readonly HashSet<string> _labelsUsed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seedKeysUsed = new(StringComparer.Ordinal);

    public List<LineupSlot> Slots { get; } = [];

    public LineupSlot Add(ContestantSpec spec, StrategyEntry entry, KnobValues knobs)
    {
        string label = spec.Label;
        for (int n = 2; !_labelsUsed.Add(label); n++)
            label = $"{spec.Label}#{n}";
        var info = new ContestantInfo(
            label,
            entry.Name,
            entry.Source.Kind,
            entry.Source.Origin,
            entry.Source.Version,
            spec.Knobs,
            entry.Source.Build
        );
        // Seeds follow the strategy's name and knobs, not the text that named it: a script raced by its path, or by its
        // name once installed from a pack, gets the same random numbers (for built-ins the two are the same text).
        // A second contestant with the same name and knobs gets #2, as a repeated label does.
        string named = new ContestantSpec(entry.Name, spec.Knobs).Label,
            seedKey = named;
        for (int n = 2; !_seedKeysUsed.Add(seedKey); n++)
            seedKey = $"{named}#{n}";
        var slot = new LineupSlot(info, entry, knobs, seedKey);
        Slots.Add(slot);
        return slot;
    }

    public LineupSlot? Find(string label) => Slots.FirstOrDefault(s => s.Info.Label == label);

    /// <summary>The contestants as they finished: each names the build it raced last.</summary>
    public IReadOnlyList<ContestantInfo> Finished() =>
        Slots.Select(s => s.Info with { Version = s.Entry.Source.Version, Build = s.Entry.Source.Build }).ToArray();
}

internal sealed class LineupSlot(ContestantInfo info, StrategyEntry entry, KnobValues knobs, string seedKey)
{
    public ContestantInfo Info { get; } = info;

    /// <summary>What the contestant's seeds are derived from: its strategy's name and knobs (plus #n for a repeat).</summary>
    public string SeedKey { get; } = seedKey;
    public StrategyEntry Entry { get; set; } = entry;
    public KnobValues Knobs { get; set; } = knobs;
}
