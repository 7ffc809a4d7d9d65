using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// DEHB (Awad, Mallik &amp; Hutter, "DEHB: Evolutionary Hyperband for Scalable, Robust and Efficient Hyperparameter
/// Optimization", IJCAI 2021, Algorithm 1, as the authors' code runs it): Hyperband's cycle of brackets
/// s = s_max … 0, sized as that code sizes them (n = ⌊(s_max + 1)/(s + 1)⌋·η^s cells at rung s_max − s, then
/// max(1, ⌊n/η^i⌋) at its i-th rung: 9 → 3 → 1, 3 → 1 and 3 on the ladder 1, 3, 9), each rung keeping a subpopulation
/// that differential evolution improves. Rung r's subpopulation holds the most cells a bracket runs at r (9, 3 and 3).
/// Every trial of a rung has a target, the subpopulation's members taken in turn, and replaces it when its objective is
/// at least the target's (DE's selection). A new cell is DE's rand/1/bin on the cells' vectors: a mutant
/// a + F·(b − c) from three distinct parents other than the target, each coordinate outside [0, 1] redrawn uniformly,
/// then binomial crossover with the target (each coordinate from the mutant with probability CR; if none is, one drawn
/// at random). The parents are the best members of the rung's own subpopulation at a bracket's base rung, and at a
/// higher rung the best of the rung below's, as many as the bracket runs at the rung. In the first iteration (the first
/// s_max + 1 brackets), a higher rung instead promotes the best member of the rung below's subpopulation that has not
/// run at the rung, as successive halving does (<see cref="TrialAsk.Continue"/>: only the extra epochs are paid); after
/// it, every trial is an evolved cell, trained from scratch at its rung as in the paper (or continued, when it already
/// came back from a lower rung: see below). Knobs: <c>eta</c> (auto: round(F[1]/F[0]) of the ladder, at least 2),
/// <c>mutation-factor</c> F (0.5) and <c>crossover-rate</c> CR (0.5), the paper's defaults.
/// <para>What differs from the paper and its code: a cell's vector is its architecture's, one coordinate per choice at
/// the centre of its operation's interval of [0, 1] (the code keeps the vector the crossover made), so that the
/// subpopulations can be rebuilt from the trials alone; an empty member (the code starts from random vectors of
/// infinite loss) counts as a random vector when it is a target, and is left out of the parents; with fewer than three
/// parents, members of every rung's subpopulations drawn at random make up the three (the code adds mutants made from
/// its global population), and with fewer than three in all the cell is uniform. Only ok trials enter a subpopulation.
/// A cell already asked at the rung or above, or one that failed or is in flight, is redrawn (up to 10 times, then a
/// uniform cell never asked); a cell that came back ok at a lower rung is continued from there, the same network for
/// fewer epochs. When the first iteration has nothing left to promote (every member of the rung below has run at the
/// rung), it evolves a cell, which pays its rung's epochs in full: the one case where a bracket can cost more than the
/// budget fit planned.</para>
/// <para>One trial at a time (<see cref="IParallelStrategy.MaxInFlight"/> 1): the paper's sequential algorithm, in which
/// every trial's bracket, rung and target follow from the order of the asks alone. (DEHB's asynchronous parallel
/// version is not here.) In a race budgeted in epochs the brackets are fitted into the budget
/// (<see cref="BracketBudget"/>). Without a ladder of two rungs or more (<see cref="SearchContext.Fidelities"/>), it is
/// random search at the race's fidelity.</para>
/// </summary>
public sealed class DehbFactory : IStrategyFactory
{
    public string Name => "dehb";
    public string Description =>
        "Hyperband's brackets whose cells come from differential evolution on each rung's subpopulation (Awad et al. 2021).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        MultiFidelityKnobs.Eta(),
        new("mutation-factor", "0.5", "F: the mutant is a + F·(b − c) of three parents' vectors"),
        new(
            "crossover-rate",
            "0.5",
            "CR: chance that a coordinate of the new cell comes from the mutant, not the target"
        ),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new Dehb(
            knobs.GetAutoInt("eta", min: 2, max: 1_000),
            knobs.GetDouble("mutation-factor", min: 0, max: 2),
            knobs.GetDouble("crossover-rate", min: 0, max: 1)
        );
}

public sealed class Dehb(int? eta, double mutationFactor, double crossoverRate)
    : MultiFidelityStrategy(eta),
        IParallelStrategy
{
    private const int MaxDraws = 11;

    /// <summary>One trial at a time: DEHB's sequential algorithm (see <see cref="DehbFactory"/>).</summary>
    int IParallelStrategy.MaxInFlight => 1;

    private protected override TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries)
    {
        int firstIteration = ladder.Top + 1;
        var shapes = BracketBudget.Fit(
            b => Shape(ladder, b),
            context.EpochBudget,
            context.Fidelities,
            ladder,
            fromScratch: b => b >= firstIteration
        );
        var state = DehbState.Replay(context.Space, entries, shapes, ladder);
        var (bracket, shape, level) = state.Cursor;
        int rung = shape.BaseRung + level;
        if (level > 0 && bracket < firstIteration && state.Promotion(rung, entries) is { } promoted)
            return TrialAsk.Continue(promoted.Result!, rung);
        return Evolve(context, state, rung, level == 0 ? rung : rung - 1, shape.Sizes[level], entries);
    }

    /// <summary>
    /// The <paramref name="bracket"/>-th bracket (0-based) of the cycle s = s_max … 0, sized as DEHB's code sizes it
    /// (and HpBandSter's): n = ⌊(s_max + 1)/(s + 1)⌋·η^s cells at rung s_max − s, rung i holding max(1, ⌊n/η^i⌋). Rung r's
    /// subpopulation holds the most cells a bracket of the cycle runs at r.
    /// </summary>
    internal static BracketShape Shape(Ladder ladder, int bracket)
    {
        int sMax = ladder.Top;
        int s = sMax - bracket % (sMax + 1);
        long n = (sMax + 1) / (s + 1) * ladder.EtaPower(s);
        return BracketShape.Halving(sMax - s, Math.Min(n, 1_000_000), s + 1, ladder);
    }

    /// <summary>
    /// A cell for <paramref name="rung"/> by rand/1/bin, its parents the best <paramref name="count"/> members of
    /// <paramref name="parentRung"/>'s subpopulation other than the target. A cell already asked at this rung or above,
    /// or one that failed or is in flight, is redrawn; a cell that came back ok at a lower rung is continued from it,
    /// which is the same network for fewer epochs (one run per architecture, see the multi-fidelity guide).
    /// </summary>
    private TrialAsk Evolve(
        SearchContext context,
        DehbState state,
        int rung,
        int parentRung,
        int count,
        IReadOnlyList<Entry> entries
    )
    {
        var space = context.Space;
        var random = context.Random;
        var targetMember = state.Target(rung);
        var parents = state.Parents(parentRung, count, targetMember, random);
        if (parents.Count < 3)
            return TrialAsk.At(Fresh.Distinct(context, entries), rung);
        var target = targetMember?.Vector ?? RandomVector(space.ChoiceCount, random);
        var continued = Ledger.Continued(entries);
        for (int attempt = 0; attempt < MaxDraws; attempt++)
        {
            var (a, b, c) = ThreeDistinct(parents, random);
            var vector = (double[])target.Clone();
            bool[] fromMutant = [.. target.Select(_ => random.NextDouble() < crossoverRate)];
            if (!fromMutant.Contains(true))
                fromMutant[random.Next(fromMutant.Length)] = true; // as DEHB's code: one coordinate at least
            for (int j = 0; j < vector.Length; j++)
            {
                if (!fromMutant[j])
                    continue;
                double mutant = a.Vector[j] + mutationFactor * (b.Vector[j] - c.Vector[j]);
                vector[j] = mutant is < 0 or > 1 ? random.NextDouble() : mutant;
            }
            var cell = DehbMember.Decode(space, vector);
            if (!space.Contains(cell))
                continue;
            var earlier = entries.Where(e => e.Architecture == cell).ToList();
            if (earlier.Count == 0)
                return TrialAsk.At(cell, rung);
            var below = earlier.Where(e => e.Ok && e.Rung < rung && !continued.Contains(e.Index)).MaxBy(e => e.Rung);
            if (below is not null && earlier.All(e => e.Rung < rung))
                return TrialAsk.Continue(below.Result!, rung);
        }
        return TrialAsk.At(Fresh.Distinct(context, entries), rung);
    }

    private static double[] RandomVector(int length, Random random) =>
        Enumerable.Range(0, length).Select(_ => random.NextDouble()).ToArray();

    private static (DehbMember, DehbMember, DehbMember) ThreeDistinct(IReadOnlyList<DehbMember> parents, Random random)
    {
        int i = random.Next(parents.Count);
        int j = random.Next(parents.Count - 1);
        if (j >= i)
            j++;
        // k is drawn among the others: past the lower of i and j, then past the higher.
        int k = random.Next(parents.Count - 2);
        if (k >= Math.Min(i, j))
            k++;
        if (k >= Math.Max(i, j))
            k++;
        return (parents[i], parents[j], parents[k]);
    }
}
