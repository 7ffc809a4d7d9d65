using Nas.Sandbox.Core.Racing.Isolation;

namespace Nas.Sandbox.Cluster;

/// <summary>What <c>nas worker</c> was started with.</summary>
public sealed record WorkerOptions
{
    public required ClusterAddress Cluster { get; init; }

    /// <summary>The silo's name: unique in the cluster (the race addresses the worker by it).</summary>
    public required string Name { get; init; }

    /// <summary>Trials it evaluates at once, each in a process of its own.</summary>
    public required int Slots { get; init; }

    public required int ThreadsPerSlot { get; init; }

    /// <summary>cpu, cuda or cuda:N; with cuda the slots are spread over the GPUs.</summary>
    public required string Device { get; init; }

    /// <summary>The port other silos reach this one on (silo to silo).</summary>
    public required int SiloPort { get; init; }

    /// <summary>The port races (Orleans clients) reach this one on.</summary>
    public required int GatewayPort { get; init; }

    /// <summary>The address this worker tells the cluster to reach it at.</summary>
    public required System.Net.IPAddress Advertise { get; init; }

    /// <summary>Extra folders where it looks for tables a race names (by file name; used only if the hash matches).</summary>
    public IReadOnlyList<string> TableFolders { get; init; } = [];

    /// <summary>How the worker starts a slot's process (this program's hidden <c>estimator-process</c> command).</summary>
    public required ContestantProcessStart SlotProcess { get; init; }

    /// <summary>Which packs of code sent by races it loads (<c>--packs</c>): by default any whose bytes match their SHA-256.</summary>
    public PackAcceptance AcceptPacks { get; init; } = PackAcceptance.All;

    /// <summary>How long one trial may take on a slot before its process is stopped and the trial fails.</summary>
    public TimeSpan TrialTimeout { get; init; } = TimeSpan.FromHours(1);
}
