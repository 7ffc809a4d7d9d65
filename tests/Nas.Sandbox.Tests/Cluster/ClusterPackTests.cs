using Newtonsoft.Json.Linq;
using static Nas.Sandbox.Tests.Cluster.ClusterJournal;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>A real Redis and one <c>nas worker</c> (w1, every pack allowed), shared by the races of a test class.</summary>
public sealed class OneWorkerCluster : IDisposable
{
    public OneWorkerCluster()
    {
        Redis = new RedisServer();
        Workers = new WorkerProcesses(Redis.Connection, Path.Combine(Folder, "home"));
        Workers.Start("w1");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("nas-cluster-w1-").FullName;
    internal RedisServer Redis { get; }
    internal WorkerProcesses Workers { get; }

    public void Dispose()
    {
        Workers.Dispose();
        Redis.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// A race's scripts reach a real worker (<see cref="OneWorkerCluster"/>) in the race's pack: `nas race --cluster`
/// packs its script estimator, operation or space, and the worker verifies the pack, loads it and evaluates there. The
/// races share the worker (starting one is most of such a test's time), one after the other, as a worker serves races.
/// </summary>
// One cluster at a time: each starts worker processes or silos that would otherwise share the 2 cores with another's.
[Collection(OneClusterAtATime.Name)]
public sealed class ClusterPackTests(OneWorkerCluster cluster) : IClassFixture<OneWorkerCluster>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-cluster-pack-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A random-search race on the worker of the shared cluster into <paramref name="journal"/>; it must succeed.</summary>
    private void RaceOnTheCluster(string journal, int budget, params string[] options)
    {
        var (exit, _, err) = NasProcess.Run([
            "race",
            "--cluster",
            cluster.Redis.Connection,
            .. options,
            "--strategy",
            "random-search",
            "--budget",
            $"{budget}",
            "--journal",
            journal,
        ]);
        exit.Should().Be(0, err);
    }

    [Fact]
    public void A_script_estimator_and_operation_reach_a_worker_as_a_verified_pack_and_are_evaluated_there()
    {
        string operations = Directory.CreateDirectory(Path.Combine(_folder, "operations")).FullName;
        File.Copy(ScriptTestKit.Example("nor-dil-conv-3x3.csx"), Path.Combine(operations, "nor-dil-conv-3x3.csx"));
        string journal = Path.Combine(_folder, "script.jsonl");

        RaceOnTheCluster(
            journal,
            budget: 6,
            "--estimator",
            ScriptTestKit.Example("param-proxy.csx"),
            "--scripts",
            operations,
            "--operations",
            "none,skip_connect,nor_dil_conv_3x3"
        );

        var trials = Trials(journal);
        trials.Should().HaveCount(6).And.OnlyContain(t => t.Status == "ok");
        trials.Should().OnlyContain(t => t.Message == "evaluated on cluster worker w1");
        trials.Should().Contain(t => t.Arch.Contains("nor_dil_conv_3x3"), "the script's operation is in the space");
        var notices = Notices(journal);
        notices.Should().Contain(n => n.Contains("as pack SHA-256 ") && n.Contains("--packs"));
    }

    /// <remarks>
    /// The build's scripts/ holds param-proxy.csx too. A worker used to load that folder first, so its own copy kept
    /// the estimator's name and the race's copy, shipped and verified, was refused: a race whose copy differs from the
    /// worker's would have been evaluated by the worker's, silently.
    /// </remarks>
    [Fact]
    public void A_worker_evaluates_the_races_changed_copy_of_an_example_script_not_its_builds_own()
    {
        string original = File.ReadAllText(ScriptTestKit.Example("param-proxy.csx"));
        string changed = original.Replace(
            "ValidationAccuracy = (double)parameters / MaxParameters",
            "ValidationAccuracy = 0.125"
        );
        changed.Should().NotBe(original, "the copy differs from the build's");
        string copy = Path.Combine(
            Directory.CreateDirectory(Path.Combine(_folder, "changed")).FullName,
            "param-proxy.csx"
        );
        File.WriteAllText(copy, changed);
        string journal = Path.Combine(_folder, "changed.jsonl");

        RaceOnTheCluster(journal, budget: 4, "--estimator", copy);

        Trials(journal).Should().HaveCount(4).And.OnlyContain(t => t.Message == "evaluated on cluster worker w1");
        File.ReadLines(journal)
            .Select(JObject.Parse)
            .Where(e => (string?)e["type"] == "trial")
            .Select(e => (double)e["metrics"]!["validationAccuracy"]!)
            .Should()
            .HaveCount(4)
            .And.OnlyContain(a => a == 0.125, "the race's copy prices every architecture");
    }

    [Fact]
    public void A_script_search_space_reaches_a_worker_in_the_races_pack_and_its_networks_are_priced_there()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "spaces")).FullName;
        File.WriteAllText(Path.Combine(scripts, "widths.csx"), WidthsSpaceScript.Source("widths"));
        string journal = Path.Combine(_folder, "space.jsonl");

        RaceOnTheCluster(journal, budget: 4, "--space", "widths", "--scripts", scripts, "--estimator", "naswot");

        // The worker's slots build the script's networks: only a space they loaded from the pack can do that.
        var trials = Trials(journal);
        trials.Should().HaveCount(4).And.OnlyContain(t => t.Status == "ok");
        trials.Should().OnlyContain(t => t.Message == "evaluated on cluster worker w1");
        trials.Should().OnlyContain(t => t.Arch.Split(':').Length == 3, "keys of the widths space");
        Notices(journal).Should().Contain(n => n.Contains("as pack SHA-256 "));
    }
}
