using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nas.Sandbox.Core;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// How a worker (an Orleans silo) and a race (an Orleans client) join the cluster an address names: the same cluster
/// id, and the same membership store (Redis, or the localhost primary silo).
/// </summary>
public static class ClusterHosting
{
    /// <summary>Builds a worker's silo host (not started).</summary>
    public static IHost BuildWorker(WorkerOptions options, WorkerSlots slots) =>
        new HostBuilder()
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(SameCluster);
                silo.Configure<SiloOptions>(o => o.SiloName = options.Name);
                if (options.Cluster.Store == ClusterStore.Redis)
                {
                    silo.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(options.Cluster));
                    silo.ConfigureEndpoints(
                        options.Advertise,
                        options.SiloPort,
                        options.GatewayPort,
                        listenOnAnyHostAddress: true
                    );
                }
                else
                    silo.UseLocalhostClustering(
                        options.SiloPort,
                        options.GatewayPort,
                        new IPEndPoint(IPAddress.Loopback, options.Cluster.Port)
                    );
                // A worker that dies is noticed in seconds, not the default half a minute: a trial waits for it. And
                // when every worker died at once (no one left to declare them dead), a new one must not wait a minute
                // for their stale entries: a heartbeat every 5 s, stale after two missed. 100 workers write 20 times a
                // second to the store, nothing for Redis (docs/cluster-scaling.md).
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(2);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                    o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                    o.NumMissedTableIAmAliveLimit = 2;
                });
                silo.Services.AddSingleton(slots);
                silo.Services.AddPlacementDirector<NamedSiloPlacement, NamedSiloPlacementDirector>();
            })
            .Build();

    /// <summary>Builds a race's client host (not started).</summary>
    public static IHost BuildClient(ClusterAddress address, TimeSpan responseTimeout) =>
        new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(SameCluster);
                if (address.Store == ClusterStore.Redis)
                    client.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(address));
                else
                    client.UseLocalhostClustering(LocalhostGatewayPort);
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
                // When every gateway the race knew is gone, the workers that joined since are found in seconds.
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
                // Fail at once when no worker answers: the race says so instead of retrying silently.
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            })
            .Build();

    /// <summary>Workers and races of one store are one cluster: the same cluster and service id.</summary>
    private static void SameCluster(ClusterOptions options)
    {
        options.ClusterId = ClusterAddress.ClusterId;
        options.ServiceId = ClusterAddress.ClusterId;
    }

    /// <summary>The primary silo's gateway port in a localhost cluster (Orleans' default).</summary>
    public const int LocalhostGatewayPort = 30000;

    /// <summary>
    /// Checks that the Redis an address names answers, before Orleans is started on it (whose own failure is a long
    /// retry and a stack trace): one clear error naming the address.
    /// </summary>
    public static void RequireRedis(ClusterAddress address, string option = "--cluster")
    {
        if (address.Store != ClusterStore.Redis)
            return;
        var config = RedisOptions(address);
        config.AbortOnConnectFail = true;
        config.ConnectTimeout = 3000;
        config.ConnectRetry = 1;
        try
        {
            using var redis = ConnectionMultiplexer.Connect(config);
            redis.GetDatabase().Ping();
        }
        catch (RedisException e)
        {
            throw new NasException(
                $"{option} {address}: Redis does not answer at {address.RedisEndpoint} ({FirstLine(e.Message)}). "
                    + "Start it (redis-server --bind 127.0.0.1 --port "
                    + address.Port
                    + " for this machine) or name the store your workers use"
                    + (address.Tls ? "" : "; a store that needs TLS is rediss://")
                    + $"; a password comes from {ClusterAddress.PasswordVariable}."
            );
        }
    }

    private static ConfigurationOptions RedisOptions(ClusterAddress address)
    {
        var config = ConfigurationOptions.Parse(address.RedisEndpoint);
        config.AbortOnConnectFail = false;
        config.Ssl = address.Tls;
        if (Environment.GetEnvironmentVariable(ClusterAddress.PasswordVariable) is { Length: > 0 } password)
            config.Password = password;
        if (Environment.GetEnvironmentVariable(ClusterAddress.UserVariable) is { Length: > 0 } user)
            config.User = user;
        return config;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
