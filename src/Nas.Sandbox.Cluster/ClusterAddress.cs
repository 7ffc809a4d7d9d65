using System.Globalization;
using Nas.Sandbox.Core;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// Where a cluster's membership lives, as <c>--cluster</c> gives it: <c>redis://HOST[:PORT]</c> (the real store: every
/// worker and race that names the same Redis is one cluster) or <c>localhost</c> (one machine, no store: the first
/// worker is the primary silo on Orleans' default ports, 11111 and gateway 30000, and the others join it).
/// </summary>
/// <remarks>
/// <c>rediss://</c> is the same store over TLS. A store's password is never part of the address (which the journal
/// records and process lists show): it comes from <see cref="PasswordVariable"/> (and <see cref="UserVariable"/>).
/// </remarks>
public sealed record ClusterAddress(ClusterStore Store, string Host, int Port, bool Tls = false)
{
    /// <summary>The environment variable a Redis store's password is read from, by workers and races alike.</summary>
    public const string PasswordVariable = "NAS_CLUSTER_PASSWORD";

    /// <summary>The environment variable a Redis store's ACL user is read from (unset: the default user).</summary>
    public const string UserVariable = "NAS_CLUSTER_USER";

    /// <summary>Orleans' cluster and service id: one per store; a race and its workers must agree on it.</summary>
    public const string ClusterId = "nas-sandbox";

    public const int DefaultRedisPort = 6379;
    public const int DefaultPrimarySiloPort = 11111;

    /// <summary>The form <c>--cluster</c> takes, for errors and help.</summary>
    public const string Forms =
        "redis://HOST[:PORT] (a Redis membership store; rediss:// over TLS) or localhost (one machine)";

    public static ClusterAddress Parse(string text, string option = "--cluster")
    {
        string given = text.Trim();
        foreach (var (scheme, tls) in new[] { ("redis://", false), ("rediss://", true) })
            if (given.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                string rest = given[scheme.Length..];
                if (rest.Contains('@'))
                    throw new NasException(
                        $"{option}: a password does not belong in the address (journals and process lists would show it); set {PasswordVariable} instead."
                    );
                var (host, port) = HostAndPort(rest, DefaultRedisPort, text, option);
                return new ClusterAddress(ClusterStore.Redis, host, port, tls);
            }
        if (given.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new ClusterAddress(ClusterStore.Localhost, "127.0.0.1", DefaultPrimarySiloPort);
        throw new NasException($"{option} '{text}': expected {Forms}.");
    }

    /// <summary>The StackExchange.Redis endpoint (<c>HOST:PORT</c>).</summary>
    public string RedisEndpoint => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() =>
        Store == ClusterStore.Redis ? $"{(Tls ? "rediss" : "redis")}://{RedisEndpoint}" : "localhost";

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
