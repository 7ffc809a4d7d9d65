using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core;

/// <summary>
/// Derives independent seeds from a master seed and labels (heat number, contestant, architecture key) with a
/// stable hash (SplitMix64 over FNV-1a of the labels: the contracts' <see cref="StableHash"/>, which strategies use too), so runs are reproducible across processes and platforms.
/// </summary>
public static class SeedMixer
{
    public static long Derive(long seed, params object[] labels)
    {
        ulong state = (ulong)seed;
        foreach (object label in labels)
        {
            ulong hash = StableHash.Of(
                Convert.ToString(label, System.Globalization.CultureInfo.InvariantCulture) ?? ""
            );
            state = Mix(state ^ hash);
        }
        return (long)(state & long.MaxValue);
    }

    public static int ToInt32(long seed) => (int)(Mix((ulong)seed) & int.MaxValue);

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
