using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.Field;

/// <summary>
/// The architectures BANANAS' acquisition chooses among, made as its reference code makes them on NAS-Bench-201
/// (naszilla, <c>nas_benchmarks.py</c>, <c>Nasbench.get_candidates</c> with <c>acq_opt_type='mutation'</c>, and
/// <c>nas_bench_201/cell_201.py</c>, <c>Cell201.mutate</c> with <c>mutate_encoding='adj'</c>): mutants of the best
/// architectures so far, none of them evaluated already and none twice.
/// </summary>
public static class MutationCandidates
{
    /// <summary>
    /// The reference's <c>patience_factor</c>: when duplicates leave the pool short, the next best architectures are
    /// mutated too, up to this many times the parents asked for.
    /// </summary>
    public const int PatienceFactor = 5;

    /// <summary>
    /// Walks <paramref name="best"/> (best first, at most <paramref name="parents"/> × <see cref="PatienceFactor"/> of
    /// them): while fewer than <paramref name="candidates"/> were found, makes <c>candidates / parents</c> mutants of
    /// the next one and keeps those not in <paramref name="seen"/> (which they are added to). As in the reference, the
    /// pool may end a little larger than asked (a parent's mutants are all kept) or smaller (a small or exhausted space).
    /// </summary>
    public static List<Architecture> Generate(
        ISearchSpace space,
        IReadOnlyList<Architecture> best,
        ISet<Architecture> seen,
        int candidates,
        int parents,
        double mutationProbability,
        Random random
    )
    {
        var pool = new List<Architecture>();
        foreach (var parent in best.Take(parents * PatienceFactor))
        {
            if (pool.Count >= candidates)
                break;
            for (int i = 0; i < candidates / parents; i++)
            {
                var child = Mutate(space, parent, mutationProbability, random);
                if (seen.Add(child))
                    pool.Add(child);
            }
        }
        return pool;
    }

    /// <summary>
    /// Each choice independently, with probability <paramref name="probability"/>, replaced by one of the other
    /// operations at random; no choice may change (the parent itself comes back, and is discarded as evaluated).
    /// The reference's probability is <c>mutation_rate / (OP_SPOTS − 2)</c> = 1 / (6 − 2) = 0.25 on NB201's six edges.
    /// </summary>
    public static Architecture Mutate(ISearchSpace space, Architecture parent, double probability, Random random)
    {
        var operations = space.Operations;
        var choices = parent.Choices.ToArray();
        for (int c = 0; c < choices.Length; c++)
        {
            if (random.NextDouble() >= probability)
                continue;
            int current = IndexOf(operations, choices[c]);
            int replacement = random.Next(operations.Count - 1);
            if (replacement >= current)
                replacement++;
            choices[c] = operations[replacement];
        }
        return space.FromChoices(choices);
    }

    private static int IndexOf(IReadOnlyList<string> operations, string operation)
    {
        for (int i = 0; i < operations.Count; i++)
            if (string.Equals(operations[i], operation, StringComparison.Ordinal))
                return i;
        throw new ArgumentException($"'{operation}' is not an operation of the space.", nameof(operation));
    }
}
