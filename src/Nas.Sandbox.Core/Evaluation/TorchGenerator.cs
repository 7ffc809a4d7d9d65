namespace Nas.Sandbox.Core.Evaluation;

/// <summary>
/// libtorch initialises weights from its process-wide default generator, so seeding it and building a network must not
/// interleave with another seeded build in the process. Every seeded build of the host (the training estimator, the
/// strategies' training kit) takes this lock.
/// </summary>
internal static class TorchGenerator
{
    public static readonly Lock Lock = new();
}
