using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;
using static Nas.Sandbox.Tests.LeagueTestKit;

namespace Nas.Sandbox.Tests;

/// <summary><c>nas league</c> as a user runs it, on league files in a temporary folder.</summary>
public sealed class LeagueCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-league-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private string LeaguePath => Path.Combine(_folder, "league.json");

    private void RecordTwoHeats()
    {
        var file = new LeagueFile(LeaguePath, new FixedClock(PlayedAt));
        var evolution = Contestant("regularized-evolution", ("sample", "3"), ("population", "20"));
        file.RecordHeat(
            "r/heat=0",
            Results((evolution, 0.9123), (Contestant("random-search"), 0.85), (Contestant("edge-bandit"), null))
        );
        file.RecordHeat("r/heat=1", Results((evolution, 0.88), (Contestant("random-search"), 0.88)));
    }

    [Fact]
    public void A_missing_league_says_no_heats_yet_and_succeeds()
    {
        var (exit, stdout, stderr) = NasProcess.Run("league", "--league", LeaguePath);
        exit.Should().Be(0, stderr);
        stdout.Trim().Should().Be($"no heats recorded yet in {LeaguePath}");
        File.Exists(LeaguePath).Should().BeFalse();
    }

    [Fact]
    public void Without_league_option_the_league_lives_in_NAS_HOME()
    {
        string home = Path.Combine(_folder, "home");
        var (exit, stdout, stderr) = NasProcess.Run(new Dictionary<string, string?> { ["NAS_HOME"] = home }, "league");
        exit.Should().Be(0, stderr);
        stdout.Trim().Should().Be($"no heats recorded yet in {Path.Combine(home, "league.json")}");
    }

    [Fact]
    public void The_table_ranks_players_by_rating_with_their_record_and_names_the_file()
    {
        RecordTwoHeats();
        var (exit, stdout, stderr) = NasProcess.Run("league", "--league", LeaguePath);
        exit.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();
        lines[0].Should().MatchRegex(@"^rank\s+player\s+rating\s+heats\s+W-D-L\s+best acc\s+last played$");
        lines[1]
            .Should()
            .MatchRegex(
                @"^\s+1\s+regularized-evolution:population=20,sample=3\s+15\d\d\s+2\s+2-1-0\s+0\.9123\s+2025-06-01 12:30:00 UTC$"
            );
        lines[2].Should().MatchRegex(@"^\s+2\s+random-search\s+1\d\d\d\s+2\s+1-1-1\s+0\.8800\s+");
        lines[3].Should().MatchRegex(@"^\s+3\s+edge-bandit\s+14\d\d\s+1\s+0-0-2\s+-\s+");
        lines[^1].Should().Be($"league: {LeaguePath}");
    }

    [Fact]
    public void Json_prints_every_player_with_exact_ratings()
    {
        RecordTwoHeats();
        var expected = new LeagueFile(LeaguePath).Load();
        var (exit, stdout, stderr) = NasProcess.Run("league", "--league", LeaguePath, "--json");
        exit.Should().Be(0, stderr);
        var json = JournalReader.ParseObject(stdout); // keeps times as the strings printed
        ((string)json["path"]!).Should().Be(LeaguePath);
        ((int)json["heatsRecorded"]!).Should().Be(2);
        var players = (JArray)json["players"]!;
        players.Select(p => (string)p["player"]!).Should().Equal(expected.Players.Select(p => p.Key));
        players.Select(p => (double)p["rating"]!).Should().Equal(expected.Players.Select(p => p.Rating));
        var first = players[0];
        ((int)first["rank"]!).Should().Be(1);
        ((string)first["strategy"]!).Should().Be("regularized-evolution");
        ((string)first["knobs"]!["population"]!).Should().Be("20");
        ((int)first["wins"]!, (int)first["draws"]!, (int)first["losses"]!).Should().Be((2, 1, 0));
        ((double)first["bestAccuracy"]!).Should().Be(0.9123);
        ((string)first["lastPlayed"]!).Should().Be("2025-06-01T12:30:00.0000000Z");
        players[2]["bestAccuracy"]!.Type.Should().Be(JTokenType.Null);
    }

    [Fact]
    public void Json_of_an_empty_league_is_still_a_document()
    {
        var (exit, stdout, stderr) = NasProcess.Run("league", "--league", LeaguePath, "--json");
        exit.Should().Be(0, stderr);
        ((JArray)JObject.Parse(stdout)["players"]!).Should().BeEmpty();
        stderr.Should().Contain("no heats recorded yet");
    }

    [Fact]
    public void A_corrupt_league_is_one_error_line_naming_the_file()
    {
        File.WriteAllText(LeaguePath, "{ \"format\": 1, \"players\": [ { \"key\": ");
        var (exit, stdout, stderr) = NasProcess.Run("league", "--league", LeaguePath);
        exit.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr
            .Trim()
            .Should()
            .StartWith($"error: League file {LeaguePath} is corrupt:")
            .And.Contain("line 1")
            .And.NotContain("   at ");
    }
}
