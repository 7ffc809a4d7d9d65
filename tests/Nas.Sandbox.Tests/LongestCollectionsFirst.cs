using Nas.Sandbox.Tests.Cluster;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Nas.Sandbox.Tests.LongestCollectionsFirst", "Nas.Sandbox.Tests")]
// Three tests at a time on two cores: many tests spend much of their time waiting on `nas` children (starting, racing,
// being killed), so with two the cores sat partly idle. Measured on 2026-12-07 (headline paused, the full assembly):
// 10 m 32 s with 2, 9 m 25 s with 3, both passing; with 3, vmstat showed the cores busy until the last collections.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]

namespace Nas.Sandbox.Tests;

/// <summary>
/// Starts the longest test collections first, so that the run does not end with one long serial collection alone on a
/// core: xunit's own order started the torch lane (about 300 s of tests that must run one after another) 4 minutes into
/// a 9.5-minute run, and it was the last to finish. Longest-first is the classic rule for packing jobs onto a few
/// machines. The list is a scheduling hint only, from the test durations of a full run (trx logger), longest first: a
/// collection missing from it or out of date runs after the listed ones, in xunit's order, and nothing else changes.
/// </summary>
public sealed class LongestCollectionsFirst : ITestCollectionOrderer
{
    /// <summary>Collection display names: a named collection's name, or "Test collection for CLASS".</summary>
    private static readonly string[] Longest =
    [
        TorchGeneratorLane.Name, // ~300 s, serial
        OneClusterAtATime.Name, // ~215 s, serial
        Class<ResumeTests>(), // ~155 s
        Class<HostileRaceTests>(),
        Class<CliTests>(),
        Class<Isolation.ProcessIsolationTests>(),
        Class<WorkerProcessTests>(),
        Class<TrainingDeterminismTests>(),
        Class<Packs.PackCliTests>(),
        Class<LatencyJournalTests>(),
        Class<DartsOperationCliTests>(),
        Class<OperationExportTests>(),
        Class<ResumeEdgeTests>(), // ~25 s
    ];

    private static string Class<T>() => $"Test collection for {typeof(T).FullName}";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .Select((collection, order) => (collection, order))
            .OrderBy(c => Array.IndexOf(Longest, c.collection.DisplayName) is var rank and >= 0 ? rank : Longest.Length)
            .ThenBy(c => c.order)
            .Select(c => c.collection);
}
