using Orleans.Concurrency;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// One <c>nas worker</c> silo, as the race sees it: a grain keyed by the silo's name and placed on that silo only
/// (<see cref="EvaluationWorker"/>). Setups and evaluations travel as the JSON the local worker processes already speak
/// (<c>WorkerSetup</c>, <c>EvaluationWire</c>), so a result computed on another machine is the result a local worker
/// would give, number for number.
/// <para>Versioning: the grain interface is this build's; a worker from another build says so in its
/// <see cref="WorkerCard"/>, and the race does not use it.</para>
/// </summary>
public interface IEvaluationWorker : IGrainWithStringKey
{
    /// <summary>Who the worker is: its slots, its build and contracts version, its machine, whether it is leaving.</summary>
    [AlwaysInterleave]
    Task<WorkerCard> Describe();

    /// <summary>
    /// Readies the worker for a race's setup (checks it, then starts its slots' processes); null when ready, else why
    /// it refuses (code it was not sent as a verified pack, a data set or table whose hash does not match).
    /// </summary>
    [AlwaysInterleave]
    Task<string?> Prepare(string setupJson);

    /// <summary>
    /// Evaluates one trial on a free slot of the setup with this hash; the reply is the local wire's. Asked again with
    /// the same call id, it answers with the same evaluation (awaiting it if it still runs), never a second one.
    /// </summary>
    [AlwaysInterleave]
    Task<string> Evaluate(string setupHash, string callId, string requestJson);

    /// <summary>
    /// What the worker knows of each call id (<see cref="WorkerSlots.CallUnknown"/>, <see cref="WorkerSlots.CallRunning"/>
    /// or <see cref="WorkerSlots.CallFinished"/>): a call the worker has finished, or never received, for some seconds
    /// while the race still waits was lost on its way (with a gateway worker that left), and the race asks again.
    /// </summary>
    [AlwaysInterleave]
    Task<string[]> CallStates(string[] callIds);

    /// <summary>
    /// Answers at once, also while every slot trains: the race's way of knowing the worker is alive, and whether it is
    /// leaving (<see cref="WorkerSlots.Leaving"/>: no new trials) or takes trials (<see cref="WorkerSlots.Ready"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<string> Ping();
}

/// <summary>What a worker tells the race about itself.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerCard
{
    [Id(0)]
    public required string Name { get; init; }

    [Id(1)]
    public required int Slots { get; init; }

    /// <summary>The build (the CLI's informational version): a race uses only workers of its own build.</summary>
    [Id(2)]
    public required string Build { get; init; }

    /// <summary>The contracts' API version (major.minor).</summary>
    [Id(3)]
    public required string Api { get; init; }

    [Id(4)]
    public required string Machine { get; init; }

    [Id(5)]
    public required int ProcessId { get; init; }

    /// <summary>The worker was told to stop: it finishes its trials and takes no new ones.</summary>
    [Id(6)]
    public required bool Leaving { get; init; }

    [Id(7)]
    public required string Device { get; init; }

    [Id(8)]
    public required int ThreadsPerSlot { get; init; }
}
