using static Nas.Sandbox.Tests.Cluster.ClusterJournal;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// A multi-silo cluster in the test process (<see cref="InProcessSilos"/>) on a real Redis, raced by a real
/// <c>nas race --cluster</c>: a worker joining mid-race gets work at once, a worker leaving cleanly hands back nothing
/// and loses nothing, and a race killed mid-way resumes onto the cluster; each ends as the same race run locally.
/// </summary>
// One cluster at a time: each starts worker processes or silos that would otherwise share the 2 cores with another's.
[Collection(OneClusterAtATime.Name)]
public sealed class InProcessClusterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-silos-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// 2 contestants × 100 × 40 heats: 8,000 trials, long enough on a cluster to join and leave during it. A race that
    /// is only killed mid-way needs fewer (<paramref name="heats"/>).
    /// </summary>
    private static string[] TableRace(string journal, int heats, params string[] extra) =>
        ClusterJournal.TableRace(journal, "regularized-evolution", heats, seed: 11, extra);

    private const int JoinAndLeaveHeats = 40;

    /// <summary>15 heats (3,000 trials): a third of them journaled before the kill, two thirds left for the resume.</summary>
    private const int KillAndResumeHeats = 15;

    /// <summary>Two silos on the Redis, and the race's local run (its journal and its summary) to compare with.</summary>
    private async Task<(InProcessSilos Silos, string Local, string Remote, string Expected)> TwoSilosAndTheLocalRace(
        RedisServer redis,
        int heats
    )
    {
        var silos = new InProcessSilos(redis.Connection);
        await silos.StartAsync("s1");
        await silos.StartAsync("s2");
        string local = Path.Combine(_folder, "local.jsonl");
        var (exit, expected, err) = NasProcess.Run(TableRace(local, heats));
        exit.Should().Be(0, err);
        return (silos, local, Path.Combine(_folder, "cluster.jsonl"), expected);
    }

    [Fact]
    public async Task A_worker_joining_mid_race_gets_work_and_one_leaving_cleanly_loses_nothing()
    {
        using var redis = new RedisServer();
        var (silos, local, remote, expected) = await TwoSilosAndTheLocalRace(redis, JoinAndLeaveHeats);
        await using var cluster = silos;

        using var run = RaceRun.Start(
            Path.Combine(_folder, "home"),
            TableRace(remote, JoinAndLeaveHeats, "--cluster", redis.Connection)
        );
        var race = run.Process;
        await WaitForTrials(remote, 500);
        await silos.StartAsync("s3");
        // The newcomer is readied within seconds and then serves lookups while the race goes on.
        await WaitUntil(
            () => Count(remote, "on cluster worker s3\"") > 0,
            () =>
                $"s3 gets work ({Count(remote, "\"type\":\"trial\"")} trials, race exited: {race.HasExited}; notices: {string.Join(" | ", Notices(remote))})"
        );
        int servedBeforeLeave = Trials(remote).Count;
        await silos.LeaveAsync("s1");

        race.WaitForExit(TimeSpan.FromMinutes(2))
            .Should()
            .BeTrue(
                $"the race ends on the workers that stay (it stopped at {Count(remote, "\"type\":\"trial\"")} trials; notices: {string.Join(" | ", Notices(remote))})"
            );
        var (exit, stdout, stderr) = await run.EndAsync(TimeSpan.Zero);
        exit.Should().Be(0, stderr);
        servedBeforeLeave.Should().BeLessThan(8_000, "s1 left while the race was running");
        Standings(stdout).Should().Equal(Standings(expected), "the cluster race is the local race");
        var trials = Trials(remote);
        trials.Should().HaveCount(8_000).And.OnlyHaveUniqueItems(t => t.Key, "every trial is journaled once");
        trials.Should().OnlyContain(t => t.Status == "ok");
        trials.Select(t => t.Arch).Should().Equal(Trials(local).Select(t => t.Arch));
        var notices = Notices(remote);
        notices
            .Should()
            .Contain(n =>
                n.StartsWith("cluster worker s3 ", StringComparison.Ordinal)
                && n.EndsWith(" joined", StringComparison.Ordinal)
            );
        notices.Should().Contain("cluster worker s1 is leaving; its running trials finish there");
        notices
            .Should()
            .NotContain(
                n =>
                    n.StartsWith("cluster worker s1 ", StringComparison.Ordinal)
                    && n.Contains(" was lost", StringComparison.Ordinal),
                "s1 left cleanly"
            );
        trials
            .Should()
            .NotContain(t => t.Message.Contains(" was lost", StringComparison.Ordinal), "a clean leave loses no trial");
    }

    [Fact]
    public async Task A_cluster_race_killed_mid_way_resumes_onto_the_cluster_it_raced_on()
    {
        using var redis = new RedisServer();
        var (silos, _, remote, expected) = await TwoSilosAndTheLocalRace(redis, KillAndResumeHeats);
        await using var cluster = silos;

        using (
            var race = RaceRun.Start(
                Path.Combine(_folder, "home"),
                TableRace(remote, KillAndResumeHeats, "--cluster", redis.Connection)
            )
        )
        {
            await WaitForTrials(remote, 1000);
            race.Kill();
        }
        int before = Trials(remote).Count;
        before.Should().BeLessThan(2 * 100 * KillAndResumeHeats, "the race was killed mid-way");

        // No --cluster: the journal's cluster setting names it.
        var (resumed, summary, resumeErr) = NasProcess.Run("race", "--resume", remote, "--json");
        resumed.Should().Be(0, resumeErr);
        Standings(summary).Should().Equal(Standings(expected), "the resumed race is the local race");
        var trials = Trials(remote);
        trials.Should().HaveCount(2 * 100 * KillAndResumeHeats).And.OnlyHaveUniqueItems(t => t.Key);
        trials
            .Skip(before)
            .Where(t => t.Message.Length > 0)
            .Should()
            .NotBeEmpty()
            .And.OnlyContain(
                t => t.Message.Contains("on cluster worker s", StringComparison.Ordinal),
                "the resumed trials ran on the cluster"
            );
    }

    private static Task WaitForTrials(string journal, int count) =>
        WaitUntil(() => Count(journal, "\"type\":\"trial\"") >= count, () => $"{count} trials journaled");

    [Fact]
    public async Task A_reply_lost_on_its_way_is_asked_for_again_within_seconds_and_nothing_is_evaluated_twice()
    {
        using var redis = new RedisServer();
        await using var silos = new InProcessSilos(redis.Connection);
        await silos.StartAsync("s1");
        int calls = 0;
        // The 50th call's reply is held back by the worker, as when the gateway worker it travelled through left.
        silos.Slots("s1").LoseReply = _ => Interlocked.Increment(ref calls) == 50;
        string journal = Path.Combine(_folder, "lost-reply.jsonl");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, err) = NasProcess.Run(
            ClusterJournal.TableRace(journal, "local-search", heats: 1, seed: 3, "--cluster", redis.Connection)
        );
        exit.Should().Be(0, err);

        Trials(journal).Should().HaveCount(200).And.OnlyHaveUniqueItems(t => t.Key);
        Notices(journal).Should().Contain(n => n.Contains("s1 lost its request or reply on the way"));
        silos
            .Slots("s1")
            .Started.Should()
            .Be(Count(journal, "\"cached\":false"), "the call asked again is answered, not evaluated again");
        watch
            .Elapsed.Should()
            .BeLessThan(TimeSpan.FromSeconds(60), "asked again within seconds, not after the response timeout");
    }

    [Fact]
    public async Task A_call_that_fails_on_its_way_to_a_worker_that_answers_pings_is_asked_again_not_given_up()
    {
        using var redis = new RedisServer();
        await using var silos = new InProcessSilos(redis.Connection);
        await silos.StartAsync("s1");
        await silos.StartAsync("s2");
        int calls = 0;
        // The 50th call (on either worker) fails after its evaluation, as a call does when the gateway worker it went
        // through leaves: the worker itself is fine and answers its pings.
        Func<string, bool> fiftieth = _ => Interlocked.Increment(ref calls) == 50;
        silos.Slots("s1").FailReply = fiftieth;
        silos.Slots("s2").FailReply = fiftieth;
        string journal = Path.Combine(_folder, "failed-call.jsonl");

        var (exit, _, err) = NasProcess.Run(
            ClusterJournal.TableRace(journal, "local-search", heats: 1, seed: 3, "--cluster", redis.Connection)
        );
        exit.Should().Be(0, err);

        var trials = Trials(journal);
        trials.Should().HaveCount(200).And.OnlyHaveUniqueItems(t => t.Key);
        trials.Should().OnlyContain(t => t.Status == "ok");
        trials
            .Should()
            .NotContain(t => t.Message.Contains(" was lost", StringComparison.Ordinal), "no worker was lost");
        Notices(journal)
            .Should()
            .Contain(n => n.Contains(" failed on the way (") && n.Contains(" answers pings; asked "));
        Notices(journal).Should().NotContain(n => n.Contains(" was lost"));
        (silos.Slots("s1").Started + silos.Slots("s2").Started)
            .Should()
            .Be(Count(journal, "\"cached\":false"), "the call asked again is answered, not evaluated again");
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"waited 2 min for: {what()}");
            await Task.Delay(100);
        }
    }
}
