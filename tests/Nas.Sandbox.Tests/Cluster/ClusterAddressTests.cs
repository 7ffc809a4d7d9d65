using FluentAssertions;
using Nas.Sandbox.Cluster;
using Nas.Sandbox.Core;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// What <c>--cluster</c> accepts: the forms a user types, the default Redis port, TLS, and a password kept out of the
/// address (which journals and process lists show); and a real password-protected Redis that the race and the worker
/// reach only with <c>NAS_CLUSTER_PASSWORD</c>.
/// </summary>
public sealed class ClusterAddressTests
{
    [Theory]
    [InlineData("redis://10.0.0.5", ClusterStore.Redis, "10.0.0.5", 6379, false, "redis://10.0.0.5:6379")]
    [InlineData("redis://redis.lab:7000/", ClusterStore.Redis, "redis.lab", 7000, false, "redis://redis.lab:7000")]
    [InlineData(
        "REDISS://cache.example:6380",
        ClusterStore.Redis,
        "cache.example",
        6380,
        true,
        "rediss://cache.example:6380"
    )]
    [InlineData(" localhost ", ClusterStore.Localhost, "127.0.0.1", 11111, false, "localhost")]
    public void A_connection_is_parsed_into_its_store_host_port_and_tls(
        string text,
        ClusterStore store,
        string host,
        int port,
        bool tls,
        string shown
    )
    {
        var address = ClusterAddress.Parse(text);
        address.Should().Be(new ClusterAddress(store, host, port, tls));
        address.ToString().Should().Be(shown);
        ClusterAddress.Parse(address.ToString()).Should().Be(address, "the journal's form resumes the same cluster");
    }

    [Theory]
    [InlineData("redis:/127.0.0.1", "expected redis://HOST[:PORT]")]
    [InlineData("redis://", "the Redis host is missing")]
    [InlineData("redis://:6379", "the Redis host is missing")]
    [InlineData("redis://h:0", "'0' is not a port")]
    [InlineData("redis://h:abc", "'abc' is not a port")]
    [InlineData("redis://:secret@h", "set NAS_CLUSTER_PASSWORD instead")]
    [InlineData("tcp://h:1", "expected redis://HOST[:PORT]")]
    public void A_bad_connection_is_one_clear_error_naming_the_option(string text, string error)
    {
        var parse = () => ClusterAddress.Parse(text);
        parse.Should().Throw<NasException>().WithMessage($"--cluster*{error}*");
    }

    [Fact]
    public void A_password_protected_store_is_reached_only_with_its_password_from_the_environment()
    {
        using var redis = new RedisServer(password: "s3cret-for-the-test");
        var withoutPassword = new Dictionary<string, string?> { [ClusterAddress.PasswordVariable] = null };
        var (exit, _, err) = NasProcess.Run(
            withoutPassword,
            "race",
            "--estimator",
            "tabular",
            "--cluster",
            redis.Connection
        );
        exit.Should().NotBe(0);
        err.Should().Contain($"Redis does not answer at 127.0.0.1:{redis.Port}").And.Contain("NAS_CLUSTER_PASSWORD");

        // With the password the store answers, and the race goes on to look for workers (there are none).
        var withPassword = new Dictionary<string, string?>
        {
            [ClusterAddress.PasswordVariable] = "s3cret-for-the-test",
        };
        (exit, _, err) = NasProcess.Run(withPassword, "race", "--estimator", "tabular", "--cluster", redis.Connection);
        exit.Should().NotBe(0);
        err.Should().NotContain("Redis does not answer").And.Contain("no worker");
    }
}
