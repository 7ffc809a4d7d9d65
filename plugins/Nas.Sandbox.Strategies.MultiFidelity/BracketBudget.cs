using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// Fits a sequence of brackets into the race's epoch budget (<see cref="SearchContext.EpochBudget"/>), so that the last
/// brackets of a heat still reach the top rung instead of being cut off by the budget with only cheap trials run: the
/// pick is the best trial at the highest rung reached, so a bracket that never gets there buys nothing.
/// <para>A bracket's cost is what it pays when every promotion happens: its base rung's epochs for each new
/// architecture, and each continuation the epochs between its rungs (as the race charges them). Brackets are charged in
/// the order they start, at their full cost, and a bracket whose cost is more than the budget the earlier ones leave
/// starts fewer architectures (<c>n</c>, the size of its base rung, lowered until it fits; its rungs stay the same,
/// rung i holding max(1, ⌊n/η^i⌋) as before). When not even one architecture climbing to the top fits, it is one new
/// architecture at the top rung: the race lets a contestant's last trial run over the budget, as it does for every
/// strategy that trains each trial to the top.</para>
/// <para>Why full costs, not the epochs actually paid: a bracket's shape must be the same whenever it is worked out
/// again (every ask, a resume, a hot swap rebuild it from the trials), and the planned costs depend on the heat's budget
/// alone. A bracket that paid less (a failed trial is never continued) leaves its unspent epochs unplanned; the race
/// still lets the strategy ask until the budget is used, and those asks are single architectures at the top rung.</para>
/// <para>Without an epoch budget (a seconds budget, or none), the brackets are the algorithm's as planned.</para>
/// </summary>
internal static class BracketBudget
{
    /// <summary>
    /// The shapes of <paramref name="planned"/>, fitted into <paramref name="epochBudget"/> on
    /// <paramref name="fidelities"/> (epochs per rung), bracket after bracket. <paramref name="fromScratch"/> says which
    /// brackets fill their upper rungs with new cells, each paying its rung's epochs, instead of continuations (DEHB after
    /// its first iteration); none by default.
    /// </summary>
    public static Func<int, BracketShape> Fit(
        Func<int, BracketShape> planned,
        double? epochBudget,
        IReadOnlyList<int> fidelities,
        Ladder ladder,
        Func<int, bool>? fromScratch = null
    )
    {
        if (epochBudget is not double budget)
            return planned;
        var shapes = new List<BracketShape>();
        double committed = 0;
        return bracket =>
        {
            while (shapes.Count <= bracket)
            {
                bool scratch = fromScratch?.Invoke(shapes.Count) ?? false;
                var shape = Within(planned(shapes.Count), budget - committed, fidelities, ladder, scratch);
                committed += Cost(shape, fidelities, scratch);
                shapes.Add(shape);
            }
            return shapes[bracket];
        };
    }

    /// <summary><paramref name="shape"/>, or the largest bracket with its rungs that costs at most <paramref name="left"/> epochs.</summary>
    internal static BracketShape Within(
        BracketShape shape,
        double left,
        IReadOnlyList<int> fidelities,
        Ladder ladder,
        bool fromScratch = false
    )
    {
        if (Cost(shape, fidelities, fromScratch) <= left)
            return shape;
        // Cost grows with n, so the largest n that fits is found by bisection over [1, n).
        int low = 0,
            high = shape.Sizes[0] - 1;
        while (low < high)
        {
            int middle = low + (high - low + 1) / 2;
            var smaller = BracketShape.Halving(shape.BaseRung, middle, shape.Sizes.Count, ladder);
            if (Cost(smaller, fidelities, fromScratch) <= left)
                low = middle;
            else
                high = middle - 1;
        }
        return low >= 1
            ? BracketShape.Halving(shape.BaseRung, low, shape.Sizes.Count, ladder)
            : new BracketShape(ladder.Top, [1]);
    }

    /// <summary>
    /// The epochs <paramref name="shape"/> pays if every promotion happens: each new architecture its base rung's
    /// epochs, each continuation the epochs between its rung and the one below (its rung's, when the upper rungs are
    /// filled <paramref name="fromScratch"/>).
    /// </summary>
    internal static double Cost(BracketShape shape, IReadOnlyList<int> fidelities, bool fromScratch = false)
    {
        double cost = 0;
        for (int level = 0; level < shape.Sizes.Count; level++)
        {
            int rung = shape.BaseRung + level;
            int below = level == 0 || fromScratch ? 0 : fidelities[rung - 1];
            cost += (double)shape.Sizes[level] * (fidelities[rung] - below);
        }
        return cost;
    }
}
