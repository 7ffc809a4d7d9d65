using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// An architecture as one category per choice of its space: the hot position in each block of the space's one-hot
/// encoding (<see cref="ISearchSpace.Encode"/>), an index into <see cref="ISearchSpace.Operations"/>. BOHB's kernels and
/// DEHB's vectors work on these.
/// </summary>
internal static class CategoryCodes
{
    public static int[] Of(ISearchSpace space, Architecture architecture)
    {
        var encoded = space.Encode(architecture);
        int levels = space.Operations.Count;
        var codes = new int[space.ChoiceCount];
        for (int j = 0; j < codes.Length; j++)
        {
            int best = 0;
            for (int k = 1; k < levels; k++)
                if (encoded[j * levels + k] > encoded[j * levels + best])
                    best = k;
            codes[j] = best;
        }
        return codes;
    }

    public static Architecture Decode(ISearchSpace space, IReadOnlyList<int> codes) =>
        space.FromChoices(codes.Select(c => space.Operations[c]).ToArray());
}
