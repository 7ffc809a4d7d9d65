using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;
using static Nas.Sandbox.Tests.LeagueTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>The recorder between a race's event stream and the league file.</summary>
public sealed class LeagueRecorderTests : IDisposable
{
    private static readonly ContestantInfo Evolution = Contestant("regularized-evolution", ("population", "20"));
    private static readonly ContestantInfo Random = Contestant("random-search");
    private static readonly DateTime RaceStart = new(2025, 6, 1, 9, 0, 0, DateTimeKind.Utc);

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-league-").FullName;
    private readonly LeagueFile _file;
    private readonly LeagueRecorder _recorder;
    private readonly List<string> _failures = [];

    public LeagueRecorderTests()
    {
        _file = new LeagueFile(Path.Combine(_folder, "league.json"));
        _recorder = new LeagueRecorder(_file);
        _recorder.Failed += _failures.Add;
    }

    public void Dispose() => Directory.Delete(_folder, true);

    private static RaceStarted Started(long seed, params ContestantInfo[] contestants) =>
        new(
            new RaceSettings
            {
                Contestants = contestants.Select(c => ContestantSpec.Parse(c.Label)).ToArray(),
                Budget = 2,
                Seed = seed,
            },
            contestants,
            "formula",
            "-"
        )
        {
            Time = RaceStart,
        };

    private static HeatFinished Heat(int heat, params (ContestantInfo Who, double? Best)[] standings) =>
        new(heat, standings.Select(s => new HeatStanding(s.Who.Label, 2, 0, 3, s.Best, null)).ToArray());

    [Fact]
    public void Finished_heats_are_rated_under_ids_made_of_race_start_seed_and_heat()
    {
        _recorder.OnEvent(Started(7, Evolution, Random));
        _recorder.OnEvent(new HeatStarted(0, 11));
        _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));
        _recorder.OnEvent(Heat(1, (Evolution, 0.7), (Random, 0.8)));

        _failures.Should().BeEmpty();
        var league = _file.Load();
        league
            .RecordedHeats.Should()
            .Equal("2025-06-01T09:00:00.0000000Z/seed=7/heat=0", "2025-06-01T09:00:00.0000000Z/seed=7/heat=1");
        league
            .Find("regularized-evolution:population=20")!
            .Should()
            .Match<LeaguePlayer>(p => p.Heats == 2 && p.Wins == 1 && p.Losses == 1);
    }

    [Fact]
    public void A_resumed_race_replaying_its_events_counts_no_heat_twice()
    {
        LeagueStandings? latest = null;
        _recorder.Recorded += s => latest = s;
        _recorder.OnEvent(Started(7, Evolution, Random));
        _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));

        var resumed = new LeagueRecorder(_file);
        resumed.OnEvent(Started(7, Evolution, Random));
        resumed.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));
        resumed.OnEvent(Heat(1, (Evolution, 0.9), (Random, 0.8)));

        latest!.Find("random-search")!.Heats.Should().Be(1);
        _file.Load().Find("random-search")!.Heats.Should().Be(2);
        // Another race (another start time) at the same seed is other heats.
        _recorder.OnEvent(Started(7, Evolution, Random) with { Time = RaceStart.AddMinutes(1) });
        _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));
        _file.Load().Find("random-search")!.Heats.Should().Be(3);
    }

    [Fact]
    public void A_contestant_registered_after_the_start_is_rated_and_an_unknown_one_is_reported()
    {
        var latecomer = Contestant("edge-bandit");
        _recorder.OnEvent(Started(0, Evolution, Random));
        _recorder.Register(latecomer);
        _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8), (latecomer, 0.95), (Contestant("stranger"), 0.99)));

        var league = _file.Load();
        league
            .Players.Select(p => p.Key)
            .Should()
            .Equal("edge-bandit", "regularized-evolution:population=20", "random-search");
        league.Find("edge-bandit")!.Wins.Should().Be(2);
        _failures.Should().ContainSingle().Which.Should().Contain("stranger");
    }

    [Fact]
    public void A_corrupt_league_file_is_reported_and_does_not_stop_the_race()
    {
        File.WriteAllText(_file.Path, "{ \"format\": 1, \"players\": [");
        _recorder.OnEvent(Started(0, Evolution, Random));
        var act = () => _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));
        act.Should().NotThrow();
        _failures.Should().ContainSingle().Which.Should().Contain(_file.Path).And.Contain("corrupt");
        File.ReadAllText(_file.Path).Should().Be("{ \"format\": 1, \"players\": [");
    }

    [Fact]
    public void A_heat_seen_without_its_race_start_is_reported_not_guessed()
    {
        _recorder.OnEvent(Heat(0, (Evolution, 0.9), (Random, 0.8)));
        _failures.Should().ContainSingle().Which.Should().Contain("race start");
        File.Exists(_file.Path).Should().BeFalse();
    }

    [Fact]
    public async Task A_real_race_rates_every_heat_it_runs()
    {
        var space = new Nb201Space();
        var best = space.Parse(
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
        );
        var worst = space.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var catalog = new StrategyCatalog([
            new TestStrategyFactory("convolver", () => new DelegateStrategy(_ => best)).Entry(),
            new TestStrategyFactory("pruner", () => new DelegateStrategy(_ => worst)).Entry(),
        ]);
        var referee = new Referee(space, new FormulaEstimator(), catalog, new ListJournal());
        referee.EventRaised += _recorder.OnEvent;

        await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("convolver"), ContestantSpec.Parse("pruner")],
                Budget = 2,
                Heats = 3,
            }
        );

        _failures.Should().BeEmpty();
        var league = _file.Load();
        league.RecordedHeats.Should().HaveCount(3);
        league
            .Players[0]
            .Should()
            .Match<LeaguePlayer>(p => p.Key == "convolver" && p.Heats == 3 && p.Wins == 3 && p.BestAccuracy > 0.89);
        league.Players[1].Should().Match<LeaguePlayer>(p => p.Key == "pruner" && p.Losses == 3 && p.Rating < 1500);
    }
}
