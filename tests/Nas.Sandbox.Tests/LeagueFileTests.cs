using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;
using static Nas.Sandbox.Tests.LeagueTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>The league file: round trip, idempotent heats, concurrent writers, and corrupt files left alone.</summary>
public sealed class LeagueFileTests : IDisposable
{
    private static readonly ContestantInfo Evolution = Contestant(
        "regularized-evolution",
        ("sample", "3"),
        ("population", "20")
    );
    private static readonly ContestantInfo Random = Contestant("random-search");

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-league-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private string LeaguePath => Path.Combine(_folder, "home", "league.json");

    private LeagueFile File(TimeSpan? lockTimeout = null) => new(LeaguePath, new FixedClock(PlayedAt), lockTimeout);

    [Fact]
    public void A_missing_file_is_an_empty_league_and_loading_creates_nothing()
    {
        File().Load().IsEmpty.Should().BeTrue();
        Directory.Exists(Path.GetDirectoryName(LeaguePath)).Should().BeFalse();
    }

    [Fact]
    public void Recorded_heats_survive_a_round_trip_through_the_file()
    {
        File().RecordHeat("race-1/heat=0", Results((Evolution, 0.91), (Random, 0.875)));
        File().RecordHeat("race-1/heat=1", Results((Evolution, 0.5), (Random, null)));

        var league = new LeagueFile(LeaguePath).Load();
        league
            .Players.Select(p => p.Key)
            .Should()
            .Equal("regularized-evolution:population=20,sample=3", "random-search");
        var evolution = league.Players[0];
        evolution.Strategy.Should().Be("regularized-evolution");
        evolution.Knobs.Should().Equal(new Dictionary<string, string> { ["population"] = "20", ["sample"] = "3" });
        evolution.Rating.Should().Be(league.RatingOf(evolution.Key)).And.BeGreaterThan(1530);
        evolution
            .Should()
            .Match<LeaguePlayer>(p =>
                p.Heats == 2 && p.Wins == 2 && p.Draws == 0 && p.Losses == 0 && p.BestAccuracy == 0.91
            );
        evolution.LastPlayed.Should().Be("2025-06-01T12:30:00.0000000Z");
        league.Find("random-search")!.Should().Match<LeaguePlayer>(p => p.Losses == 2 && p.BestAccuracy == 0.875);
        league.Players.Sum(p => p.Rating).Should().BeApproximately(3000, 1e-9);
        league.RecordedHeats.Should().Equal("race-1/heat=0", "race-1/heat=1");

        var json = JObject.Parse(System.IO.File.ReadAllText(LeaguePath));
        ((int)json["format"]!).Should().Be(1);
        Directory
            .GetFiles(Path.GetDirectoryName(LeaguePath)!)
            .Select(Path.GetFileName)
            .Should()
            .BeEquivalentTo("league.json", "league.json.lock"); // no temporary files left behind
    }

    [Fact]
    public void A_heat_recorded_again_under_the_same_id_is_counted_once_and_the_file_is_not_rewritten()
    {
        File().RecordHeat("race-1/heat=0", Results((Evolution, 0.9), (Random, 0.8)));
        byte[] before = System.IO.File.ReadAllBytes(LeaguePath);
        var stamp = System.IO.File.GetLastWriteTimeUtc(LeaguePath);

        var again = File().RecordHeat("race-1/heat=0", Results((Evolution, 0.9), (Random, 0.8)));

        again.Find(Random.Label)!.Heats.Should().Be(1);
        System.IO.File.ReadAllBytes(LeaguePath).Should().Equal(before);
        System.IO.File.GetLastWriteTimeUtc(LeaguePath).Should().Be(stamp);
    }

    [Fact]
    public void Only_the_most_recent_heat_ids_are_remembered()
    {
        var ids = Enumerable.Range(0, LeagueStandings.RememberedHeats).Select(i => $"old/{i}");
        var full = new LeagueStandings([], ids);
        var after = full.WithHeat("new", Results((Evolution, 0.9), (Random, 0.8)), PlayedAt);
        after.RecordedHeats.Should().HaveCount(LeagueStandings.RememberedHeats);
        after.RecordedHeats[^1].Should().Be("new");
        after.HasRecorded("old/0").Should().BeFalse();
        after.HasRecorded("old/1").Should().BeTrue();
    }

    [Fact]
    public async Task Writers_recording_at_the_same_time_lose_no_update()
    {
        const int writers = 6,
            heatsEach = 8;
        var start = new ManualResetEventSlim();
        var tasks = Enumerable
            .Range(0, writers)
            .Select(w =>
                Task.Run(() =>
                {
                    start.Wait();
                    // Each writer its own LeagueFile, as separate processes would have.
                    var file = new LeagueFile(LeaguePath);
                    for (int h = 0; h < heatsEach; h++)
                        file.RecordHeat($"writer-{w}/heat={h}", Results((Evolution, 0.9), (Random, 0.8)));
                })
            )
            .ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var league = File().Load();
        league.RecordedHeats.Should().HaveCount(writers * heatsEach).And.OnlyHaveUniqueItems();
        league
            .Find(LeagueKey.Of(Evolution))!
            .Should()
            .Match<LeaguePlayer>(p => p.Heats == writers * heatsEach && p.Wins == writers * heatsEach);
        league.Find(Random.Label)!.Losses.Should().Be(writers * heatsEach);
        league.Players.Sum(p => p.Rating).Should().BeApproximately(3000, 1e-6);
    }

    [Fact]
    public void A_lock_held_too_long_is_an_error_naming_the_lock_file_and_nothing_is_written()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LeaguePath)!);
        using (new FileStream(LeaguePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var act = () =>
                File(TimeSpan.FromMilliseconds(200)).RecordHeat("h", Results((Evolution, 0.9), (Random, 0.8)));
            act.Should().Throw<NasException>().WithMessage($"*{LeaguePath}.lock*");
        }
        System.IO.File.Exists(LeaguePath).Should().BeFalse();
        File().RecordHeat("h", Results((Evolution, 0.9), (Random, 0.8))).Players.Should().HaveCount(2);
    }

    [Fact]
    public void A_corrupt_file_is_an_error_naming_the_file_and_the_line_and_is_never_overwritten()
    {
        File().RecordHeat("h1", Results((Evolution, 0.9), (Random, 0.8)));
        string text = System.IO.File.ReadAllText(LeaguePath);
        string torn = text[..(text.Length / 2)];
        System.IO.File.WriteAllText(LeaguePath, torn);

        var load = () => File().Load();
        load.Should().Throw<NasException>().WithMessage($"League file {LeaguePath} is corrupt:*line *position*");
        var record = () => File().RecordHeat("h2", Results((Evolution, 0.9), (Random, 0.8)));
        record.Should().Throw<NasException>().WithMessage($"*{LeaguePath}*");
        System.IO.File.ReadAllText(LeaguePath).Should().Be(torn);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_named_with_its_line()
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(LeaguePath)!);
        System.IO.File.WriteAllText(
            LeaguePath,
            """
            {
              "format": 1,
              "players": [
                { "key": "a", "strategy": "a", "knobs": {}, "rating": "high", "heats": 1, "wins": 0, "draws": 0, "losses": 1 }
              ],
              "recordedHeats": []
            }
            """
        );
        var load = () => File().Load();
        load.Should().Throw<NasException>().WithMessage("*\"players[0].rating\" must be a number (line 4,*");

        System.IO.File.WriteAllText(LeaguePath, """{ "format": 1, "players": [] }""");
        load.Should().Throw<NasException>().WithMessage("*\"recordedHeats\" is missing*");
    }

    [Fact]
    public void A_file_from_a_newer_format_is_refused_rather_than_misread()
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(LeaguePath)!);
        System.IO.File.WriteAllText(LeaguePath, """{ "format": 2, "players": [], "recordedHeats": [], "teams": [] }""");
        var load = () => File().Load();
        load.Should().Throw<NasException>().WithMessage($"League file {LeaguePath} has format 2*newer*");
    }

    [Fact]
    public void The_default_league_is_league_json_in_the_home_folder()
    {
        LeagueFile.DefaultPath().Should().Be(Path.Combine(NasHome.Resolve().Folder, "league.json"));
    }
}
