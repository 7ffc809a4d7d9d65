namespace Nas.Sandbox.Abstractions;

/// <summary>
/// The version of this contract assembly. Plugins built against another major version, or a newer minor one, are
/// refused. 1.1 added the race's objective (Trial.Objective/Objectives, SearchContext.Objective, ParetoRanking,
/// Metrics.LatencyMsBatch64), the training kit (SearchContext.Training, ITrainingKit) and KnobValues.GetBool.
/// 1.2 added ITrainingKit.BuildOperation with batch-norm options (a supernet's non-affine, statistics-free batch norms),
/// StableHash (FNV-1a of text, shared by strategies and the host's SeedMixer) and Gaussian (Random.NextGaussian).
/// 1.2 also added IPathEncoding, an optional contract a search space may implement: the BANANAS path encoding of a cell
/// (the built-in NB201 space implements it). Plugins built against 1.1 load unchanged.
/// </summary>
public static class ApiVersion
{
    /// <summary>Kept equal to the assembly's frozen AssemblyVersion (major.minor).</summary>
    public static readonly Version Current = new(1, 2);
}
