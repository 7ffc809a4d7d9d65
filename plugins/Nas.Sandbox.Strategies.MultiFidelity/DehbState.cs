using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>A member of a DEHB subpopulation: an ok trial, and its architecture as a vector (each choice's operation at the centre of its interval of [0, 1]).</summary>
internal sealed record DehbMember(Entry Entry, double[] Vector)
{
    public static DehbMember Of(ISearchSpace space, Entry entry)
    {
        int levels = space.Operations.Count;
        var vector = CategoryCodes.Of(space, entry.Architecture).Select(code => (code + 0.5) / levels).ToArray();
        return new DehbMember(entry, vector);
    }

    /// <summary>The architecture a vector stands for: each coordinate's interval of [0, 1] names an operation.</summary>
    public static Architecture Decode(ISearchSpace space, double[] vector)
    {
        int levels = space.Operations.Count;
        return CategoryCodes.Decode(space, vector.Select(v => Math.Clamp((int)(v * levels), 0, levels - 1)).ToArray());
    }
}

/// <summary>
/// DEHB's bookkeeping, rebuilt at every ask from the trials in the order they were asked (<see cref="Ledger"/>): with
/// one trial at a time, the n-th trial holds the n-th place of the brackets' plan (its bracket, its rung, and the member
/// of the rung's subpopulation it targets, taken in turn), whatever it turned out to be; a finished ok trial replaces
/// its target when its objective is at least the target's.
/// </summary>
internal sealed class DehbState
{
    private readonly ISearchSpace _space;
    private readonly DehbMember?[][] _members;
    private readonly int[] _asked;

    private DehbState(ISearchSpace space, int[] sizes)
    {
        _space = space;
        _members = sizes.Select(n => new DehbMember?[n]).ToArray();
        _asked = new int[sizes.Length];
    }

    /// <summary>Where the next trial goes: its bracket (0-based), the bracket's shape, and its level (rung − base rung).</summary>
    public (int Bracket, BracketShape Shape, int Level) Cursor { get; private set; }

    public static DehbState Replay(
        ISearchSpace space,
        IReadOnlyList<Entry> entries,
        Func<int, BracketShape> shapes,
        Ladder ladder
    )
    {
        var state = new DehbState(space, SubpopulationSizes(ladder)) { Cursor = (0, shapes(0), 0) };
        int placed = 0; // trials placed at the cursor's level so far
        foreach (var entry in entries)
        {
            var (bracket, shape, level) = state.Cursor;
            state.Select(shape.BaseRung + level, entry);
            if (++placed < shape.Sizes[level])
                continue;
            placed = 0;
            state.Cursor =
                level + 1 < shape.Sizes.Count ? (bracket, shape, level + 1) : (bracket + 1, shapes(bracket + 1), 0);
        }
        return state;
    }

    /// <summary>The member the next trial at <paramref name="rung"/> targets; null while that place is empty.</summary>
    public DehbMember? Target(int rung) => _members[rung][_asked[rung] % _members[rung].Length];

    /// <summary>
    /// DE's parents: the best <paramref name="count"/> members of <paramref name="rung"/>'s subpopulation other than
    /// <paramref name="target"/>; with fewer than three, members of every rung's subpopulation drawn at random
    /// (distinct architectures, not the target) make up the three.
    /// </summary>
    public List<DehbMember> Parents(int rung, int count, DehbMember? target, Random random)
    {
        var parents = Best(rung).Where(m => !ReferenceEquals(m, target)).Take(count).ToList();
        if (parents.Count >= 3)
            return parents;
        var architectures = parents.Select(p => p.Entry.Architecture).ToHashSet();
        if (target is not null)
            architectures.Add(target.Entry.Architecture);
        var others = _members
            .SelectMany(members => members.OfType<DehbMember>())
            .Where(m => architectures.Add(m.Entry.Architecture))
            .ToList();
        while (parents.Count < 3 && others.Count > 0)
        {
            int pick = random.Next(others.Count);
            parents.Add(others[pick]);
            others.RemoveAt(pick);
        }
        return parents;
    }

    /// <summary>
    /// The first-iteration promotion to <paramref name="rung"/>: the best member of the rung below's subpopulation that
    /// has not run at <paramref name="rung"/> and is not continued yet (DEHB's code filters, then ranks); null if none.
    /// </summary>
    public Entry? Promotion(int rung, IReadOnlyList<Entry> entries)
    {
        var ranAtRung = entries.Where(e => e.Rung == rung).Select(e => e.Architecture).ToHashSet();
        var continued = Ledger.Continued(entries);
        return Best(rung - 1)
            .Select(m => m.Entry)
            .FirstOrDefault(e => !ranAtRung.Contains(e.Architecture) && !continued.Contains(e.Index));
    }

    private IEnumerable<DehbMember> Present(int rung) => _members[rung].OfType<DehbMember>();

    private IEnumerable<DehbMember> Best(int rung) =>
        Present(rung).OrderByDescending(m => m.Entry.Objective).ThenBy(m => m.Entry.Index);

    /// <summary>DE's selection: the trial takes its target's place if it is ok and at least as good.</summary>
    private void Select(int rung, Entry entry)
    {
        int target = _asked[rung]++ % _members[rung].Length;
        var current = _members[rung][target];
        if (entry.Ok && (current is null || entry.Objective >= current.Entry.Objective))
            _members[rung][target] = DehbMember.Of(_space, entry);
    }

    /// <summary>
    /// Rung r's subpopulation size: the most cells a bracket of the cycle runs at r (9, 3 and 3 on 1, 3, 9), from the
    /// planned shapes, before any fitting into a budget.
    /// </summary>
    private static int[] SubpopulationSizes(Ladder ladder)
    {
        var sizes = new int[ladder.Rungs];
        for (int bracket = 0; bracket <= ladder.Top; bracket++)
        {
            var shape = Dehb.Shape(ladder, bracket);
            for (int level = 0; level < shape.Sizes.Count; level++)
                sizes[shape.BaseRung + level] = Math.Max(sizes[shape.BaseRung + level], shape.Sizes[level]);
        }
        return sizes;
    }
}
