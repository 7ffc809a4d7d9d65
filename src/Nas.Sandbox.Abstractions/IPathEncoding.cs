namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Optional, added in API 1.2: a search space whose architectures are cells (a DAG from an input node to an output node,
/// operations on its edges) may offer the path encoding of BANANAS (White, Neiswanger &amp; Savani, AAAI 2021). Every
/// input→output path of a cell is the sequence of operations along it; the encoding has one binary feature per possible
/// sequence of 1 to <c>maxLength</c> operations, set when the cell has that path. Strategies test for it
/// (<c>context.Space as IPathEncoding</c>) and fall back to <see cref="ISearchSpace.Encode"/> on a space without it.
/// Features are ordered by path length, shortest first: BANANAS truncates the encoding to its short paths (those a random
/// cell most likely has), which <c>maxLength</c> does without cutting a length in two.
/// </summary>
public interface IPathEncoding
{
    /// <summary>Operations on the longest input→output path any architecture of the space can have (3 for the NB201 cell).</summary>
    int LongestPath { get; }

    /// <summary>Length of <see cref="EncodePaths"/>'s vector: every sequence of 1 to <paramref name="maxLength"/> operations.</summary>
    int PathFeatureCount(int maxLength);

    /// <summary>
    /// 1 for each input→output path of <paramref name="architecture"/> with at most <paramref name="maxLength"/>
    /// operations (between 1 and <see cref="LongestPath"/>), 0 elsewhere; <see cref="PathFeatureCount"/> values.
    /// </summary>
    float[] EncodePaths(Architecture architecture, int maxLength);
}
