using Nas.Sandbox.Cli;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// A cluster training race journals the slots it started with as <c>workers</c>, and the <c>--workers</c> that capped
/// them, if any, as <c>workersCap</c>. Rebuilding the race (<c>--resume</c>, a shared race) gives <c>--workers</c> only
/// for a cap the user gave, so a resumed race takes the cluster's slots as they are then; every other race (local
/// worker processes, a table's simulated workers, on a cluster or not) gives its <c>workers</c> back as before. Built
/// from race-started lines, without a cluster.
/// </summary>
public sealed class ClusterSlotCapTests : IDisposable
{
    private const string Cluster = "redis://10.1.2.3:6379";

    /// <summary>Stands for a journal written before <c>workersCap</c> existed: the field is left out.</summary>
    private const string Absent = "absent";

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-slotcap-").FullName;

    /// <summary>A race-started line; <paramref name="cap"/> is a number, <c>null</c>, or <see cref="Absent"/>.</summary>
    private static JObject Started(string estimator, string? cluster, int workers, string cap)
    {
        var settings = new JObject
        {
            ["contestants"] = new JArray("random-search"),
            ["space"] = "nb201",
            ["estimator"] = estimator,
            ["dataset"] = "fashion-mnist",
            ["budget"] = 2,
            ["heats"] = 1,
            ["seed"] = 0,
            ["workers"] = workers,
            ["cluster"] = cluster,
        };
        if (estimator == "tabular")
            settings["table"] = "/tables/t.csv";
        if (cap != Absent)
            settings["workersCap"] =
                cap == "null" ? null : int.Parse(cap, System.Globalization.CultureInfo.InvariantCulture);
        return new JObject
        {
            ["type"] = JournalEventTypes.RaceStarted,
            ["time"] = "2026-12-07T07:27:00Z",
            ["settings"] = settings,
        };
    }

    /// <summary>The value given with <c>--workers</c> in <paramref name="arguments"/>; null when it is not given.</summary>
    private static string? Workers(IReadOnlyList<string> arguments)
    {
        int at = arguments.ToList().IndexOf("--workers");
        return at < 0 ? null : arguments[at + 1];
    }

    public static TheoryData<string, string, string?, int, string, string?> Races =>
        new()
        {
            // name, estimator, cluster, workers (journaled), workersCap, the --workers rebuilt
            { "cluster race the cluster sized", "train", Cluster, 8, "null", null },
            { "cluster race from before workersCap", "train", Cluster, 8, Absent, null },
            { "cluster race of a proxy estimator", "synflow", Cluster, 6, "null", null },
            { "cluster race capped above its slots", "train", Cluster, 3, "4", "4" },
            { "cluster race capped at one slot", "train", Cluster, 1, "1", "1" },
            { "table race on a cluster", "tabular", Cluster, 8, "null", "8" },
            { "table race on a cluster from before workersCap", "tabular", Cluster, 8, Absent, "8" },
            { "local worker processes", "train", null, 4, "null", "4" },
            { "local worker processes from before workersCap", "train", null, 4, Absent, "4" },
            { "one local worker", "train", null, 1, "null", null },
            { "table race on this machine", "tabular", null, 16, Absent, "16" },
        };

    [Theory]
    [MemberData(nameof(Races))]
    public void A_race_is_rebuilt_with_workers_only_when_the_user_chose_them(
        string name,
        string estimator,
        string? cluster,
        int workers,
        string cap,
        string? expected
    )
    {
        var arguments = RaceArguments.Settings(
            Started(estimator, cluster, workers, cap),
            "race.jsonl(1)",
            e => e,
            table => ["--table", table]
        );
        Workers(arguments).Should().Be(expected, name);
        if (cluster is not null)
            arguments.Should().ContainInConsecutiveOrder("--cluster", cluster);
    }

    [Theory]
    [InlineData("null", null)]
    [InlineData(Absent, null)]
    [InlineData("4", "4")]
    public void A_resumed_cluster_race_is_capped_only_by_the_cap_it_was_given(string cap, string? expected)
    {
        // Started on 8 slots: uncapped, the resumed race asks the cluster for all it has now rather than those 8.
        string journal = Path.Combine(_folder, "cluster.jsonl");
        File.WriteAllText(journal, Started("train", Cluster, 8, cap).ToString(Newtonsoft.Json.Formatting.None) + "\n");
        var command = Nas.Sandbox.Cli.RaceCommand.Create();
        var resumed = RaceResume.Reparse(command, command.Parse(["--resume", journal]), journal);
        resumed.Errors.Should().BeEmpty();
        var tokens = resumed.Tokens.Select(t => t.Value).ToList();
        Workers(tokens).Should().Be(expected);
        tokens.Should().ContainInConsecutiveOrder("--cluster", Cluster);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(4)]
    public void The_journal_records_the_cap_beside_the_slots(int? cap)
    {
        var settings = JournalFormat.Settings(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("random-search")],
                Cluster = Cluster,
                Workers = 3,
                WorkersCap = cap,
            }
        );
        ((int)settings["workers"]!).Should().Be(3);
        settings.Should().ContainKey("workersCap", "a journal says whether its cluster race was capped, also when not");
        ((int?)settings["workersCap"]).Should().Be(cap);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
