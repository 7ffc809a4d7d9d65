using System.Globalization;
using Nas.Sandbox.Core;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// Where a cluster's membership lives, as <c>--cluster</c> gives it: <c>redis://HOST[:PORT]</c> (the real store: every
/// worker and race that names the same Redis is one cluster) or <c>localhost</c> (one machine, no store: the first
/// worker is the primary silo on Orleans' default ports, 11111 and gateway 30000, and the others join it).
/// </summary>
public sealed record ClusterAddress(ClusterStore Store, string Host, int Port)
{
    /// <summary>Orleans' cluster and service id: one per store; a race and its workers must agree on it.</summary>
    public const string ClusterId = "nas-sandbox";

    public const int DefaultRedisPort = 6379;
    public const int DefaultPrimarySiloPort = 11111;

    /// <summary>The form <c>--cluster</c> takes, for errors and help.</summary>
    public const string Forms = "redis://HOST[:PORT] (a Redis membership store) or localhost (one machine)";

    public static ClusterAddress Parse(string text, string option = "--cluster")
    {
        string given = text.Trim();
        if (given.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            var (host, port) = HostAndPort(given["redis://".Length..], DefaultRedisPort, text, option);
            return new ClusterAddress(ClusterStore.Redis, host, port);
        }
        if (given.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new ClusterAddress(ClusterStore.Localhost, "127.0.0.1", DefaultPrimarySiloPort);
        throw new NasException($"{option} '{text}': expected {Forms}.");
    }

    /// <summary>The StackExchange.Redis endpoint (<c>HOST:PORT</c>).</summary>
    public string RedisEndpoint => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => Store == ClusterStore.Redis ? $"redis://{RedisEndpoint}" : "localhost";

    private static (string Host, int Port) HostAndPort(string rest, int defaultPort, string text, string option)
    {
        rest = rest.TrimEnd('/');
        if (rest.Length == 0)
            throw new NasException($"{option} '{text}': the Redis host is missing (expected {Forms}).");
        int colon = rest.LastIndexOf(':');
        if (colon < 0)
            return (rest, defaultPort);
        string host = rest[..colon];
        if (host.Length == 0)
            throw new NasException($"{option} '{text}': the Redis host is missing (expected {Forms}).");
        return (host, ParsePort(rest[(colon + 1)..], text, option));
    }

    private static int ParsePort(string digits, string text, string option) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
            ? port
            : throw new NasException($"{option} '{text}': '{digits}' is not a port (1 to 65535).");
}

public enum ClusterStore
{
    Redis,
    Localhost,
}
