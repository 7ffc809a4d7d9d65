using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// A bracket of successive halving: the rung its new architectures start at, and how many trials each of its rungs
/// holds, from that rung up to the top (<c>Sizes[i]</c> at rung <c>BaseRung + i</c>).
/// </summary>
internal sealed record BracketShape(int BaseRung, IReadOnlyList<int> Sizes)
{
    /// <summary>
    /// The bracket of successive halving that starts <paramref name="n"/> new architectures at <paramref name="baseRung"/>
    /// and keeps max(1, ⌊n/η^i⌋) of them at its i-th rung, over <paramref name="levels"/> rungs.
    /// </summary>
    public static BracketShape Halving(int baseRung, long n, int levels, Ladder ladder) =>
        new(baseRung, Enumerable.Range(0, levels).Select(i => (int)Math.Max(1, n / ladder.EtaPower(i))).ToArray());
}

/// <summary>
/// Synchronous successive halving over a sequence of brackets, the engine of successive halving, Hyperband and BOHB.
/// <para>Within a bracket it is the paper's algorithm: its base rung is filled with new architectures; once every trial
/// of a rung has come back, the best ok ones (<see cref="Ledger.Ranked"/>), as many as the next rung holds, are
/// continued to it, and so on to the top rung. A rung with fewer ok trials than the next one holds promotes only those;
/// one without any ends the bracket.</para>
/// <para>With several workers, no worker waits for a bracket: an ask serves the oldest bracket that has work (a new
/// architecture for its base rung, or a promotion out of a rung that is complete); when every open bracket is waiting
/// for results, the next bracket starts. Several brackets may so be open at once, each still synchronous. With one
/// worker it is the sequential algorithm: a bracket's rung is always complete when asked.</para>
/// <para>Nothing is kept between asks: the brackets are rebuilt from the trials, told and in flight, in the order they
/// were asked. A new architecture belongs to the newest bracket while its base rung has room (an older bracket's base is
/// always full: a new bracket only starts when the older ones are waiting), a continuation to its parent's bracket, at
/// the rung it was asked at.</para>
/// </summary>
internal static class Brackets
{
    /// <summary>
    /// The next ask: <paramref name="shapeOf"/> gives the shape of the n-th bracket (0-based), <paramref name="draw"/> a new
    /// architecture for a bracket's base rung.
    /// </summary>
    public static TrialAsk Next(
        IReadOnlyList<Entry> entries,
        Func<int, BracketShape> shapeOf,
        Func<int, Architecture> draw
    )
    {
        var brackets = Rebuild(entries, shapeOf);
        var continued = Ledger.Continued(entries);
        foreach (var bracket in brackets)
            if (bracket.Next(continued, draw) is { } ask)
                return ask;
        var shape = shapeOf(brackets.Count);
        return TrialAsk.At(draw(shape.BaseRung), shape.BaseRung);
    }

    /// <summary>The brackets so far, with their trials, in the order they started.</summary>
    public static List<Bracket> Rebuild(IReadOnlyList<Entry> entries, Func<int, BracketShape> shapeOf)
    {
        var brackets = new List<Bracket>();
        var home = new Dictionary<int, Bracket>();
        foreach (var entry in entries)
        {
            if (entry.Continues is int parent)
            {
                // A continuation of a trial outside every bracket, or to a rung its bracket has not, has no place.
                if (home.TryGetValue(parent, out var owner) && owner.Place(entry))
                    home[entry.Index] = owner;
                continue;
            }
            var open = brackets.Count > 0 ? brackets[^1] : null;
            if (open is null || open.BaseFull)
            {
                open = new Bracket(shapeOf(brackets.Count));
                brackets.Add(open);
            }
            open.Levels[0].Add(entry);
            home[entry.Index] = open;
        }
        return brackets;
    }
}

/// <summary>One bracket's trials, rung by rung (level i is rung <c>BaseRung + i</c>).</summary>
internal sealed class Bracket
{
    public Bracket(BracketShape shape)
    {
        Shape = shape;
        Levels = shape.Sizes.Select(_ => new List<Entry>()).ToArray();
    }

    public BracketShape Shape { get; }
    public List<Entry>[] Levels { get; }

    public bool BaseFull => Levels[0].Count >= Shape.Sizes[0];

    public bool Place(Entry continuation)
    {
        int level = continuation.Rung - Shape.BaseRung;
        if (level < 1 || level >= Levels.Length)
            return false;
        Levels[level].Add(continuation);
        return true;
    }

    /// <summary>What this bracket asks for next; null while it waits for results, or when it is over.</summary>
    public TrialAsk? Next(HashSet<int> continued, Func<int, Architecture> draw)
    {
        if (!BaseFull)
            return TrialAsk.At(draw(Shape.BaseRung), Shape.BaseRung);
        for (int level = 0; level + 1 < Levels.Length; level++)
        {
            if (Levels[level].Any(e => !e.Finished))
                return null; // synchronous: a rung is ranked only once all of it has come back
            var promoted = Ledger.Ranked(Levels[level]).Where(e => e.Ok).Take(Shape.Sizes[level + 1]).ToList();
            if (Levels[level + 1].Count < promoted.Count)
            {
                var next = promoted.FirstOrDefault(e => !continued.Contains(e.Index));
                return next is null ? null : TrialAsk.Continue(next.Result!, Shape.BaseRung + level + 1);
            }
        }
        return null;
    }
}
