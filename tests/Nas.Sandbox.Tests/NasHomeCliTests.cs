using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Tests.Packs;
using Newtonsoft.Json.Linq;
using static Nas.Sandbox.Tests.LeagueTestKit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The real `nas` over a fake user (HOME is a temporary folder, NAS_HOME unset) with the old layout: a league and an
/// installed pack in ~/.nas-sandbox, a script in ~/.nas/scripts. The first run moves them into ~/.nas and says so once;
/// the league, the pack and the script are found there.
/// </summary>
public sealed class NasHomeCliTests(PackFixture packs) : IClassFixture<PackFixture>, IDisposable
{
    private readonly string _profile = Directory.CreateTempSubdirectory("nas-profile-").FullName;

    public void Dispose() => Directory.Delete(_profile, recursive: true);

    private (int Exit, string Out, string Err) Nas(params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = null, ["HOME"] = _profile }, args);

    /// <summary>
    /// A race of built-in strategies never compiles the home's scripts (lazy loading), so it cannot learn a script's
    /// strategy name from the script; the file's name tells it (a script's strategy is named after its file).
    /// </summary>
    [Fact]
    public void A_home_script_named_like_the_built_in_strategy_a_race_uses_is_warned_of_though_never_compiled()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_profile, ".nas", "scripts")).FullName;
        string copy = Path.Combine(scripts, "random-search.csx");
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), copy);

        var (exit, _, stderr) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "4",
            "--heats",
            "1",
            "--strategy",
            "random-search",
            "--journal",
            Path.Combine(_profile, "race.jsonl")
        );

        exit.Should().Be(0, stderr);
        stderr
            .Split('\n')
            .Should()
            .ContainSingle(line => line.Contains($"Strategy 'random-search' from {copy} ignored: "))
            .Which.Should()
            .EndWith("Nas.Sandbox.Strategies.Classic.dll already provides it.");
    }

    [Fact]
    public void A_user_with_the_old_layout_finds_the_league_pack_and_script_in_the_one_home()
    {
        string legacy = Path.Combine(_profile, ".nas-sandbox"),
            home = Path.Combine(_profile, ".nas");
        new LeagueFile(Path.Combine(legacy, "league.json"), new FixedClock(PlayedAt)).RecordHeat(
            "old/heat=0",
            Results((Contestant("random-search"), 0.81), (Contestant("edge-bandit"), 0.79))
        );
        new PackStore(legacy).Install(packs.GoodPack);
        Directory.CreateDirectory(Path.Combine(home, "scripts"));
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), Path.Combine(home, "scripts", "my-greedy.csx"));

        var (exit, stdout, stderr) = Nas("league");
        exit.Should().Be(0, stderr);
        stderr
            .Should()
            .Be(
                $"nas: moved league.json, league.json.lock, packs from {legacy} to {home}, the one home folder now; removed the empty {legacy}\n"
            );
        stdout
            .Should()
            .Contain("random-search")
            .And.Contain("edge-bandit")
            .And.EndWith($"league: {Path.Combine(home, "league.json")}\n");

        (exit, stdout, stderr) = Nas("list", "--json");
        exit.Should().Be(0, stderr);
        stderr.Should().BeEmpty("the move is told once, by the run that made it");
        var strategies = ((JArray)JObject.Parse(stdout)["strategies"]!).Cast<JObject>().ToArray();
        var packed = strategies.Should().ContainSingle(s => (string)s["name"]! == PackFixture.StrategyName).Subject;
        ((string)packed["source"]!).Should().Be(StrategySource.InstalledPack);
        ((string)packed["origin"]!).Should().StartWith(Path.Combine(home, "packs", "pack.probe"));
        var script = strategies.Should().ContainSingle(s => (string)s["name"]! == "my-greedy").Subject;
        ((string)script["origin"]!).Should().StartWith(Path.Combine(home, "scripts", "my-greedy.csx"));
    }

    [Fact]
    public void With_NAS_HOME_elsewhere_nas_moves_nothing_and_names_the_folders_it_does_not_read()
    {
        string legacy = Path.Combine(_profile, ".nas-sandbox"),
            chosen = Path.Combine(_profile, "chosen");
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, "league.json"), "{}");

        var (exit, stdout, stderr) = NasProcess.Run(
            new Dictionary<string, string?> { [NasHome.Variable] = chosen, ["HOME"] = _profile },
            "league",
            "--json"
        );
        exit.Should().Be(0, stderr);
        JToken.Parse(stdout).Should().NotBeNull("stdout holds the JSON document only");
        stderr
            .Should()
            .Be(
                $"nas: NAS_HOME is {chosen}, so {legacy} is not read; move what you need into {chosen} "
                    + $"(plugins/, scripts/, packs/, league.json) or unset NAS_HOME to use {Path.Combine(_profile, ".nas")}\n"
                    + $"no heats recorded yet in {Path.Combine(chosen, "league.json")}\n"
            );
        File.ReadAllText(Path.Combine(legacy, "league.json")).Should().Be("{}");
        Directory.Exists(Path.Combine(_profile, ".nas")).Should().BeFalse();
    }
}
