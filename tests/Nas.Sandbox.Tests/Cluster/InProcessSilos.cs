using System.Net;
using Microsoft.Extensions.Hosting;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Cluster;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// Real worker silos hosted in the test process (the same <see cref="ClusterHosting.BuildWorker"/> and
/// <see cref="WorkerSlots"/> <c>nas worker</c> runs), on a real Redis, each on free ports: a multi-silo cluster the
/// test starts, stops cleanly and adds to at the moment it chooses. TestingHost's cluster is not used: its silos use
/// its own membership and configuration, not the worker's, which is what these tests are about.
/// </summary>
internal sealed class InProcessSilos(string cluster) : IAsyncDisposable
{
    private readonly Dictionary<string, (IHost Host, WorkerSlots Slots)> _silos = [];

    public async Task StartAsync(string name)
    {
        var options = new WorkerOptions
        {
            Cluster = ClusterAddress.Parse(cluster),
            Name = name,
            Slots = 1,
            ThreadsPerSlot = 1,
            Device = "cpu",
            SiloPort = RedisServer.FreePort(),
            GatewayPort = RedisServer.FreePort(),
            Advertise = IPAddress.Loopback,
            SlotProcess = ContestantProcessCommand.StartOfThisHost(EstimatorProcessCommand.Name),
        };
        var slots = new WorkerSlots(options);
        var host = ClusterHosting.BuildWorker(options, slots);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(limit.Token);
        _silos[name] = (host, slots);
    }

    /// <summary>A running silo's slots (to inject a fault or count its evaluations).</summary>
    public WorkerSlots Slots(string name) => _silos[name].Slots;

    /// <summary>What <c>nas worker</c> does on SIGTERM: no new trials, the running ones finish, then it leaves.</summary>
    public async Task LeaveAsync(string name)
    {
        var (host, slots) = _silos[name];
        _silos.Remove(name);
        int unfinished = await slots.LeaveAsync(TimeSpan.FromSeconds(30));
        unfinished.Should().Be(0, "a table lookup finishes at once");
        await host.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        host.Dispose();
        slots.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (host, slots) in _silos.Values)
        {
            try
            {
                await host.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token)
                    .WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
            host.Dispose();
            slots.Dispose();
        }
        _silos.Clear();
    }
}
