using System.Diagnostics;
using Newtonsoft.Json.Linq;
using static Nas.Sandbox.Tests.Cluster.ClusterJournal;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// A real cluster on this machine: Debian's redis-server as the membership store (127.0.0.1, a free port), three
/// <c>nas worker</c> processes, and <c>nas race --cluster</c>. One worker is killed with SIGKILL mid-race; the race
/// must end with every trial journaled exactly once and, on a table, the same standings as a local race.
/// </summary>
// One cluster at a time: each starts worker processes or silos that would otherwise share the 2 cores with another's.
[Collection(OneClusterAtATime.Name)]
public sealed class ClusterRaceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-cluster-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>2 contestants × 100 × 12 heats: 2,400 trials; the busy worker is killed a third of the way.</summary>
    private const int Heats = 12;

    private static string[] TableRace(string journal, params string[] extra) =>
        ClusterJournal.TableRace(journal, "local-search", Heats, seed: 5, extra);

    [Fact]
    public async Task A_table_race_on_three_workers_with_one_killed_mid_race_ends_as_the_same_race_run_locally()
    {
        using var redis = new RedisServer();
        using var workers = new WorkerProcesses(redis.Connection, Path.Combine(_folder, "home"));
        foreach (string name in new[] { "w1", "w2", "w3" })
            workers.Start(name);

        string local = Path.Combine(_folder, "local.jsonl"),
            remote = Path.Combine(_folder, "cluster.jsonl");
        var (exit, expected, err) = NasProcess.Run(TableRace(local));
        exit.Should().Be(0, err);

        // Kill the worker serving the race's lookups once a third of them are journaled.
        using var race = RaceRun.Start(Path.Combine(_folder, "home"), TableRace(remote, "--cluster", redis.Connection));
        await race.WaitUntilAsync(
            () => race.Trials >= Heats * 200 / 3,
            "a third of the trials journaled",
            TimeSpan.FromMinutes(2),
            TimeSpan.FromMilliseconds(20)
        );
        string killed = Trials(remote).Last().Message.Split(' ').Last();
        workers.Kill(killed);
        // The race must end without the killed worker.
        var (raced, summary, raceErr) = await race.EndAsync(TimeSpan.FromMinutes(3));
        raced.Should().Be(0, raceErr);

        Standings(summary).Should().Equal(Standings(expected), "the cluster race is the local race, number for number");
        var trials = Trials(remote);
        trials.Should().HaveCount(2 * Heats * 100).And.OnlyHaveUniqueItems(t => t.Key, "every trial is journaled once");
        trials.Select(t => t.Arch).Should().Equal(Trials(local).Select(t => t.Arch));
        Notices(remote).Should().Contain(n => n.Contains($"cluster worker {killed}") && n.Contains("was lost"));
        trials
            .Should()
            .NotContain(t => t.Message.Contains($"on cluster worker {killed}") && t.Message.Contains("after"));
    }

    [Fact]
    public async Task A_training_race_loses_a_worker_mid_evaluation_and_every_trial_is_still_journaled_and_paid_once()
    {
        using var redis = new RedisServer();
        using var workers = new WorkerProcesses(redis.Connection, Path.Combine(_folder, "home"));
        foreach (string name in new[] { "w1", "w2", "w3" })
            workers.Start(name);
        string journal = Path.Combine(_folder, "train.jsonl");
        string[] race =
        [
            "race",
            "--cluster",
            redis.Connection,
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--strategy",
            "random-search",
            "--strategy",
            "regularized-evolution",
            "--budget",
            "8",
            "--epochs",
            "1",
            "--train-images",
            "300",
            "--validation-images",
            "200",
            "--seed",
            "2",
            "--journal",
            journal,
        ];
        using var process = RaceRun.Start(Path.Combine(_folder, "home"), race);
        // Every worker holds a trial once three are started and fewer than three have come back.
        await process.WaitUntilAsync(
            () => process.Count("\"type\":\"trial-started\"") >= 3,
            "three trials started",
            TimeSpan.FromMinutes(2)
        );
        workers.Kill("w2");
        // Within 3 minutes of w2's kill.
        var (exit, _, stderr) = await process.EndAsync(TimeSpan.FromMinutes(3));
        exit.Should().Be(0, stderr);

        var trials = Trials(journal);
        trials.Should().HaveCount(16).And.OnlyHaveUniqueItems(t => t.Key);
        trials
            .Should()
            .OnlyContain(t => t.Status == "ok", "a lost worker's trial is evaluated again elsewhere, not failed");
        trials
            .Should()
            .NotContain(t => t.Message.StartsWith("evaluated on cluster worker w2", StringComparison.Ordinal));
        var moved = trials.Where(t => t.Message.Contains("after w2 was lost")).ToArray();
        moved.Should().NotBeEmpty("w2 was evaluating a trial when it was killed");
        // Paid once: the cost is the run that finished, not the lost one's seconds on top.
        foreach (var trial in moved)
            trial.Cost.Should().BeLessThan(trial.LostSeconds() + trial.Cost).And.BePositive();
        Notices(journal).Should().Contain(n => n.Contains("cluster worker w2") && n.Contains("was lost"));
    }

    [Fact]
    public void Bad_clusters_are_refused_with_one_clear_error_before_anything_runs()
    {
        var (exit, _, err) = NasProcess.Run("race", "--estimator", "tabular", "--cluster", "redis:/127.0.0.1");
        exit.Should().NotBe(0);
        err.Should().Contain("--cluster 'redis:/127.0.0.1': expected redis://HOST[:PORT]");

        int closed = RedisServer.FreePort();
        (exit, _, err) = NasProcess.Run("race", "--estimator", "tabular", "--cluster", $"redis://127.0.0.1:{closed}");
        exit.Should().NotBe(0);
        err.Should().Contain($"Redis does not answer at 127.0.0.1:{closed}");

        (exit, _, err) = NasProcess.Run("worker", "--cluster", $"redis://127.0.0.1:{closed}");
        exit.Should().NotBe(0);
        err.Should().Contain($"Redis does not answer at 127.0.0.1:{closed}");

        using var redis = new RedisServer();
        (exit, _, err) = NasProcess.Run("race", "--estimator", "tabular", "--cluster", redis.Connection);
        exit.Should().NotBe(0);
        err.Should().Contain("no worker").And.Contain($"nas worker --cluster {redis.Connection}");

        // A worker that takes no code (--packs none) refuses a race whose estimator is a script, with its reason.
        using var workers = new WorkerProcesses(redis.Connection, Path.Combine(_folder, "home"));
        workers.Start("w1", "--packs", "none");
        (exit, _, err) = NasProcess.Run(
            "race",
            "--cluster",
            redis.Connection,
            "--estimator",
            ScriptTestKit.Example("param-proxy.csx"),
            "--budget",
            "2"
        );
        exit.Should().NotBe(0);
        err.Should().Contain("w1 refuses the race's pack").And.Contain("--packs none");
    }
}
