using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// The architectures <c>nas tabulate</c> measures, in order: every architecture of a space that can be enumerated (the
/// NB201 cell space), or a sample of it; for any other space a sample drawn with the space's own
/// <see cref="ISearchSpace.Sample"/>. Both depend on the master seed only, so a resumed run measures the same list.
/// </summary>
public static class TabulateSample
{
    /// <summary>Draws allowed per architecture wanted before a space is declared unable to give that many distinct ones.</summary>
    public const int DrawsPerArchitecture = 50;

    /// <param name="sample">How many (<c>--sample</c>); null for all, which only an enumerable space allows.</param>
    public static IReadOnlyList<Architecture> Architectures(ISearchSpace space, int? sample, long masterSeed)
    {
        var random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(masterSeed, "sample")));
        if (space is Nb201Space cells)
        {
            var all = cells.Enumerate().ToList();
            return sample is { } n && n < all.Count ? Statistics.Shuffled(all, random).Take(n).ToList() : all;
        }
        if (sample is not { } wanted)
            throw new NasException(
                $"--space {space.Name}: the space ({space.Size:N0} architectures) cannot be enumerated; "
                    + "give --sample N to tabulate N distinct architectures drawn from it (e.g. --sample 300)."
            );
        if (wanted > space.Size)
            throw new NasException($"--sample {wanted}: space {space.Name} has only {space.Size:N0} architectures.");
        var drawn = new List<Architecture>(wanted);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long draws = 0,
            limit = (long)DrawsPerArchitecture * wanted + 1000;
        while (drawn.Count < wanted)
        {
            if (++draws > limit)
                throw new NasException(
                    $"--sample {wanted}: space {space.Name}'s Sample gave only {drawn.Count} distinct architectures in {limit:N0} draws."
                );
            var architecture = space.Sample(random);
            if (seen.Add(architecture.Key))
                drawn.Add(architecture);
        }
        return drawn;
    }
}
