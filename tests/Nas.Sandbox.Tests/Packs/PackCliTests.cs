using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>
/// `nas pack` as users run it, each test in fresh home folders: make a pack from an example script, install it, race
/// it, remove it; share a race and run it again elsewhere with the same results; refuse a bad pack and keep the old.
/// </summary>
public sealed class PackCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-pack-cli-").FullName;

    private string NewHome() =>
        Directory.CreateDirectory(Path.Combine(_folder, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    private static (int Exit, string Out, string Err) Nas(string home, params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = home }, args);

    /// <summary>An example script copied under a new name (a script strategy is named after its file), so it clashes with nothing.</summary>
    private static string ExampleCopy(string folder, string strategyName)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, strategyName + ".csx");
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), path);
        return path;
    }

    /// <summary>Each contestant's best validation accuracy, the test accuracy of that pick, and evaluations, from a race's --json summary.</summary>
    private static Dictionary<string, (double, double, int)> Results(string summaryJson) =>
        ((JArray)JObject.Parse(summaryJson)["contestants"]!).ToDictionary(
            c => (string)c["strategy"]!,
            c => ((double)c["bestValidationAccuracy"]!, (double)c["testAccuracyOfBest"]!, (int)c["evaluations"]!)
        );

    private static JObject[] Strategies(string listJson) =>
        ((JArray)JObject.Parse(listJson)["strategies"]!).Cast<JObject>().ToArray();

    [Fact]
    public void Install_warns_of_each_name_the_new_pack_shares_with_a_built_in_or_a_script_saying_who_keeps_it()
    {
        string source = Path.Combine(_folder, "clash-src");
        ExampleCopy(source, "random-search"); // a built-in strategy's name
        ExampleCopy(source, "shared-name");
        // An estimator named like the shipped example's (the build's scripts/ load before packs): refused whole.
        File.Copy(ScriptTestKit.Example("param-proxy.csx"), Path.Combine(source, "my-proxy.csx"));
        string home = NewHome();
        string homeScript = ExampleCopy(Path.Combine(home, "scripts"), "shared-name");
        string feed = Path.Combine(_folder, "clash-feed");
        var (exit, _, stderr) = Nas(
            home,
            "pack",
            "build",
            source,
            "--id",
            "Clash.Pack",
            "--license",
            "MIT",
            "--output",
            feed
        );
        exit.Should().Be(0, stderr);
        // The author hears of the built-in's name at once (every user has the built-ins); the rest is the user's.
        stderr
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should()
            .Equal(
                "warning: scripts/random-search.csx: strategy 'random-search' is a built-in's name "
                    + "(Nas.Sandbox.Strategies.Classic.dll): wherever the pack is installed, the built-in is raced under it "
                    + "and this one is ignored; rename it (a script's strategy is named after its file)."
            );

        (exit, var stdout, stderr) = Nas(home, "pack", "install", Path.Combine(feed, "Clash.Pack.1.0.0.nupkg"));
        exit.Should().Be(0, stderr);
        stdout.Should().Contain("installed Clash.Pack 1.0.0");
        string scripts = Path.Combine(home, "packs", "clash.pack", "scripts");
        var warnings = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        warnings.Should().HaveCount(3, stderr);
        warnings
            .Should()
            .Contain(
                $"warning: {Path.Combine(scripts, "my-proxy.csx")}(1,1): error NAS0010: estimator 'param-proxy' is already defined by script {ScriptTestKit.Example("param-proxy.csx")}; rename one of them."
            );
        warnings
            .Should()
            .ContainSingle(w =>
                w.StartsWith(
                    $"warning: Strategy 'random-search' from {Path.Combine(scripts, "random-search.csx")} ignored: ",
                    StringComparison.Ordinal
                ) && w.EndsWith("Nas.Sandbox.Strategies.Classic.dll already provides it.", StringComparison.Ordinal)
            );
        warnings
            .Should()
            .Contain(
                $"warning: Strategy 'shared-name' from {Path.Combine(scripts, "shared-name.csx")} ignored: {homeScript} already provides it."
            );
    }

    [Fact]
    public void A_pack_made_from_an_example_script_installs_races_and_is_removed()
    {
        string source = Path.Combine(_folder, "src");
        ExampleCopy(source, "packed-greedy");
        string feed = Path.Combine(_folder, "feed");
        string home = NewHome();

        var (exit, stdout, stderr) = Nas(
            home,
            "pack",
            "build",
            source,
            "--id",
            "Greedy.Pack",
            "--license",
            "MIT",
            "--output",
            feed
        );
        exit.Should().Be(0, stderr);
        string pack = Path.Combine(feed, "Greedy.Pack.1.0.0.nupkg");
        stdout
            .Should()
            .Contain($"built Greedy.Pack 1.0.0: {pack}")
            .And.Contain("script scripts/packed-greedy.csx: strategy packed-greedy");

        (exit, stdout, stderr) = Nas(home, "pack", "verify", pack);
        exit.Should().Be(0, stderr);
        stdout.Should().StartWith("ok: Greedy.Pack 1.0.0");

        (exit, stdout, stderr) = Nas(home, "pack", "install", pack);
        exit.Should().Be(0, stderr);
        stdout
            .Should()
            .Contain($"installed Greedy.Pack 1.0.0 in {Path.Combine(home, "packs", "greedy.pack")}")
            .And.Contain("full trust");

        (exit, stdout, stderr) = Nas(home, "pack", "list", "--json");
        exit.Should().Be(0, stderr);
        var listed = ((JArray)JObject.Parse(stdout)["packs"]!).Should().ContainSingle().Subject;
        listed["contents"]!["scripts"]![0]!["strategies"]!.Values<string>().Should().Equal("packed-greedy");

        (exit, stdout, stderr) = Nas(home, "list", "--json");
        exit.Should().Be(0, stderr);
        var strategy = Strategies(stdout).Should().ContainSingle(s => (string)s["name"]! == "packed-greedy").Subject;
        ((string)strategy["source"]!).Should().Be(StrategySource.InstalledPack);
        ((string)strategy["origin"]!).Should().StartWith(Path.Combine(home, "packs", "greedy.pack", "scripts"));

        (exit, stdout, stderr) = Nas(
            home,
            "race",
            "--estimator",
            "tabular",
            "--strategy",
            "packed-greedy",
            "--strategy",
            "random-search",
            "--budget",
            "12",
            "--heats",
            "2",
            "--json",
            "--journal",
            Path.Combine(_folder, "packed.jsonl")
        );
        exit.Should().Be(0, stderr);
        var raced = ((JArray)JObject.Parse(stdout)["contestants"]!).Single(c =>
            (string)c["strategy"]! == "packed-greedy"
        );
        ((string)raced["source"]!).Should().Be(StrategySource.InstalledPack);
        ((int)raced["evaluations"]!).Should().Be(24);

        // A race of an installed pack's script can be shared in turn.
        (exit, stdout, stderr) = Nas(
            home,
            "pack",
            "build",
            "--from-race",
            Path.Combine(_folder, "packed.jsonl"),
            "--license",
            "MIT",
            "-o",
            feed
        );
        exit.Should().Be(0, stderr);
        stdout
            .Should()
            .Contain("script scripts/packed-greedy.csx: strategy packed-greedy")
            .And.Contain("race: nas race --strategy packed-greedy");

        (exit, stdout, stderr) = Nas(home, "pack", "remove", "Greedy.Pack");
        exit.Should().Be(0, stderr);
        stdout.Should().Contain("removed Greedy.Pack 1.0.0");
        Directory.Exists(Path.Combine(home, "packs", "greedy.pack")).Should().BeFalse();
        (exit, stdout, _) = Nas(home, "list", "--json");
        Strategies(stdout).Should().NotContain(s => (string)s["name"]! == "packed-greedy");
        (exit, _, stderr) = Nas(
            home,
            "race",
            "--estimator",
            "tabular",
            "--strategy",
            "packed-greedy",
            "--budget",
            "5",
            "--heats",
            "1"
        );
        exit.Should().Be(1);
        stderr.Should().Contain("packed-greedy");
    }

    [Fact]
    public void A_shared_race_installs_elsewhere_and_runs_again_with_the_same_results()
    {
        // A user races a script of theirs against a built-in with knobs, then shares the race.
        string script = ExampleCopy(Path.Combine(_folder, "mine"), "shared-greedy");
        string journal = Path.Combine(_folder, "shared.jsonl");
        string author = NewHome();
        var (exit, original, stderr) = Nas(
            author,
            "race",
            "--estimator",
            "tabular",
            "--strategy",
            script,
            "--strategy",
            "regularized-evolution:population=8",
            "--budget",
            "20",
            "--heats",
            "3",
            "--seed",
            "7",
            "--json",
            "--journal",
            journal
        );
        exit.Should().Be(0, stderr);
        string feed = Path.Combine(_folder, "shared-feed");
        (exit, var built, stderr) = Nas(
            author,
            "pack",
            "build",
            "--from-race",
            journal,
            "--id",
            "Shared.Race",
            "--license",
            "MIT",
            "-o",
            feed
        );
        exit.Should().Be(0, stderr);
        built.Should().Contain("script scripts/shared-greedy.csx: strategy shared-greedy");

        // Another user, without the script, installs it from the feed by id and runs the recorded race.
        File.Delete(script);
        string other = NewHome();
        (exit, _, stderr) = Nas(other, "pack", "install", "Shared.Race", "--source", feed);
        exit.Should().Be(0, stderr);
        (exit, var list, stderr) = Nas(other, "pack", "list", "--json");
        exit.Should().Be(0, stderr);
        var command = PackListJson.RaceCommand(list);
        command
            .Should()
            .ContainInOrder("--strategy", "shared-greedy")
            .And.ContainInOrder("--strategy", "regularized-evolution:population=8")
            .And.ContainInOrder("--seed", "7");
        (exit, var again, stderr) = Nas(
            other,
            ["race", .. command, "--json", "--journal", Path.Combine(_folder, "again.jsonl")]
        );
        exit.Should().Be(0, stderr);
        Results(again).Should().BeEquivalentTo(Results(original));
        // The original journal travels with the pack, to compare with.
        File.ReadAllText(Path.Combine(other, "packs", "shared.race", "race", "shared.jsonl"))
            .Should()
            .Be(File.ReadAllText(journal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_shared_race_on_a_script_space_carries_the_space(bool fromScriptsOption)
    {
        // The author's space is a script in their home folder, where both the race and pack build find it; or in a folder
        // the race was given with --scripts, which its journal records for pack build to look in.
        string author = NewHome();
        string scripts = Directory
            .CreateDirectory(fromScriptsOption ? Path.Combine(_folder, "my-spaces") : Path.Combine(author, "scripts"))
            .FullName;
        File.WriteAllText(Path.Combine(scripts, "widths.csx"), WidthsSpaceScript.Source("widths"));
        // All eight architectures of the widths space, scored by hand: a tabular race needs no training.
        string table = Path.Combine(_folder, "widths.csv");
        File.WriteAllLines(
            table,
            [
                "arch,validation_accuracy,test_accuracy,train_seconds,params,flops,status",
                .. Enumerable
                    .Range(0, 8)
                    .Select(i =>
                    {
                        string key = string.Join(
                            ':',
                            Enumerable.Range(0, 3).Select(bit => (i >> bit & 1) == 0 ? 4 : 8)
                        );
                        double score = 0.5 + 0.01 * i;
                        return $"{key},{score:0.00},{score - 0.01:0.00},1.5,100,1000,ok";
                    }),
            ]
        );
        string journal = Path.Combine(_folder, "widths.jsonl");
        var (exit, _, stderr) = Nas(
            author,
            [
                "race",
                "--space",
                "widths",
                "--estimator",
                "tabular",
                "--table",
                table,
                "--strategy",
                "random-search",
                "--budget",
                "4",
                "--journal",
                journal,
                .. (fromScriptsOption ? ["--scripts", scripts] : Array.Empty<string>()),
            ]
        );
        exit.Should().Be(0, stderr);

        (exit, var built, stderr) = Nas(
            author,
            "pack",
            "build",
            "--from-race",
            journal,
            "--id",
            "Widths.Race",
            "--license",
            "MIT",
            "-o",
            Path.Combine(_folder, "widths-feed")
        );
        exit.Should().Be(0, stderr);
        built.Should().Contain("script scripts/widths.csx: space widths");

        // Another user, who never had the script, installs the race and runs it again: the same trials.
        string other = NewHome();
        (exit, _, stderr) = Nas(
            other,
            "pack",
            "install",
            "Widths.Race",
            "--source",
            Path.Combine(_folder, "widths-feed")
        );
        exit.Should().Be(0, stderr);
        (exit, var list, stderr) = Nas(other, "pack", "list", "--json");
        exit.Should().Be(0, stderr);
        var command = PackListJson.RaceCommand(list);
        command.Should().ContainInOrder("--space", "widths");
        string again = Path.Combine(_folder, "widths-again.jsonl");
        (exit, _, stderr) = Nas(other, ["race", .. command, "--journal", again]);
        exit.Should().Be(0, stderr);
        static string[] Keys(string journal) =>
            File.ReadLines(journal)
                .Select(JObject.Parse)
                .Where(e => (string?)e["type"] == "trial")
                .Select(e => (string)e["arch"]!)
                .ToArray();
        Keys(again).Should().HaveCount(40, "10 heats of 4").And.Equal(Keys(journal));
    }

    [Fact]
    public void A_tampered_pack_is_refused_by_verify_and_install_and_the_installed_version_stays()
    {
        string source = Path.Combine(_folder, "src-t");
        ExampleCopy(source, "tamper-greedy");
        string feed = Path.Combine(_folder, "feed-t");
        string home = NewHome();
        Nas(home, "pack", "build", source, "--id", "Tamper.Pack", "--license", "MIT", "-o", feed).Exit.Should().Be(0);
        string good = Path.Combine(feed, "Tamper.Pack.1.0.0.nupkg");
        Nas(home, "pack", "install", good).Exit.Should().Be(0);
        Nas(home, "pack", "build", source, "--id", "Tamper.Pack", "--version", "1.1.0", "--license", "MIT", "-o", feed)
            .Exit.Should()
            .Be(0);
        var archive = PackArchive.Load(Path.Combine(feed, "Tamper.Pack.1.1.0.nupkg"));
        archive["scripts/tamper-greedy.csx"] = "System.IO.File.Delete(\"/important\");"u8.ToArray();
        string tampered = archive.Save(Path.Combine(_folder, "Tamper.Pack.1.1.0.nupkg"));

        var (exit, _, stderr) = Nas(home, "pack", "verify", tampered);
        exit.Should().Be(1);
        stderr
            .Should()
            .Contain("entry 'scripts/tamper-greedy.csx' does not match its SHA-256")
            .And.NotContain("   at ");
        (exit, _, stderr) = Nas(home, "pack", "install", tampered);
        exit.Should().Be(1);
        stderr.Should().Contain("entry 'scripts/tamper-greedy.csx' does not match its SHA-256");

        (exit, var listed, _) = Nas(home, "pack", "list");
        listed.Should().Contain("Tamper.Pack 1.0.0");
        (exit, var verified, stderr) = Nas(home, "pack", "verify", "Tamper.Pack");
        exit.Should().Be(0, stderr);
        verified.Should().StartWith("ok: installed Tamper.Pack 1.0.0");

        // Editing an installed pack's file is what `verify ID` is for.
        File.AppendAllText(Path.Combine(home, "packs", "tamper.pack", "scripts", "tamper-greedy.csx"), "\n// edited");
        (exit, _, stderr) = Nas(home, "pack", "verify", "Tamper.Pack");
        exit.Should().Be(1);
        stderr.Should().Contain("scripts/tamper-greedy.csx: changed since install");
    }

    [Fact]
    public async Task Installing_a_new_version_during_a_race_swaps_its_contestant_without_losing_a_trial()
    {
        // Version 1 is slow after its first 10 asks (300 ms each: a minute for its remaining budget), so the race is still
        // running when version 2 arrives, however long the install and the swap take on a loaded machine; version 2 is
        // fast, so the race ends soon after the swap.
        const string slow = """
            // version VERSION
            public sealed class SlowProbe : IStrategy
            {
                public Architecture Ask(SearchContext c)
                {
                    if (c.AskIndex >= 10) System.Threading.Thread.Sleep(DELAY);
                    return c.Space.Sample(c.Random);
                }
                public void Tell(Trial t) { }
            }
            new SlowProbe()
            """;
        string home = NewHome();
        string feed = Path.Combine(_folder, "feed-hot");
        foreach (string version in new[] { "1.0.0", "2.0.0" })
        {
            string source = Directory.CreateDirectory(Path.Combine(_folder, "hot-" + version)).FullName;
            File.WriteAllText(
                Path.Combine(source, "slow-probe.csx"),
                slow.Replace("VERSION", version).Replace("DELAY", version == "1.0.0" ? "300" : "0")
            );
            Nas(
                home,
                "pack",
                "build",
                source,
                "--id",
                "Slow.Probe",
                "--version",
                version,
                "--license",
                "MIT",
                "-o",
                feed
            )
                .Exit.Should()
                .Be(0);
        }
        Nas(home, "pack", "install", Path.Combine(feed, "Slow.Probe.1.0.0.nupkg")).Exit.Should().Be(0);

        string journal = Path.Combine(_folder, "hot.jsonl");
        using var race = RaceRun.Start(
            home,
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "200",
            "--heats",
            "1",
            "--strategy",
            "slow-probe",
            "--watch",
            "--journal",
            journal
        );
        await race.WaitUntilAsync(() => race.Trials >= 10, "the race under way (10 trials)", TimeSpan.FromMinutes(3));

        Nas(home, "pack", "install", Path.Combine(feed, "Slow.Probe.2.0.0.nupkg")).Exit.Should().Be(0);
        var (exit, _, errors) = await race.EndAsync(TimeSpan.FromMinutes(2));
        exit.Should().Be(0, errors);

        errors.Should().Contain("pack Slow.Probe updated from 1.0.0 to 2.0.0");
        var events = File.ReadLines(journal).Select(JObject.Parse).ToArray();
        var swap = events.Should().ContainSingle(e => (string)e["type"]! == "swap").Subject;
        ((int)swap["trialsReplayed"]!).Should().BeGreaterThanOrEqualTo(10);
        // Every ask of the budget is a trial, each index once: nothing lost or repeated across the swap.
        events
            .Where(e => (string)e["type"]! == "trial")
            .Select(e => (int)e["index"]!)
            .Should()
            .Equal(Enumerable.Range(0, 200));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_shared_race_records_a_command_for_one_machine_and_warns_of_what_does_not_travel(bool tabular)
    {
        string journal = Path.Combine(_folder, "cluster.jsonl");
        string data = TestData.FashionMnistSubsetDirectory;
        string author = NewHome();
        string[] estimator = tabular
            ? ["--estimator", "tabular", "--budget", "5"]
            : ["--budget", "1", .. TestData.TinyFidelity];
        var (exit, _, stderr) = Nas(
            author,
            ["race", .. estimator, "--heats", "1", "--dataset", $"fashion-mnist:{data}", "--journal", journal]
        );
        exit.Should().Be(0, stderr);
        // As a race on a cluster of 8 slots journals it (the journal reference's "cluster", "workers" and "workersCap"
        // settings; a training race capped by --workers 12); racing one needs live workers, which the cluster tests
        // start, and is not what this test is about.
        var lines = File.ReadAllLines(journal);
        var started = JObject.Parse(lines[0]);
        started["settings"]!["cluster"] = "redis://10.1.2.3:6379";
        started["settings"]!["workers"] = 8;
        started["settings"]!["workersCap"] = tabular ? null : 12;
        lines[0] = started.ToString(Newtonsoft.Json.Formatting.None);
        File.WriteAllLines(journal, lines);

        (exit, var built, stderr) = Nas(
            author,
            "pack",
            "build",
            "--from-race",
            journal,
            "--license",
            "MIT",
            "-o",
            Path.Combine(_folder, "cluster-feed")
        );
        exit.Should().Be(0, stderr);
        stderr
            .Should()
            .Contain(
                "warning: cluster.jsonl raced on the cluster redis://10.1.2.3:6379; the recorded command runs on one machine"
            );
        stderr
            .Should()
            .Contain($"warning: cluster.jsonl read its data from fashion-mnist:{data}, which does not travel");
        var race = built.Split('\n').Single(l => l.TrimStart().StartsWith("race: nas race", StringComparison.Ordinal));
        race.Should().NotContain("--cluster").And.Contain($"--dataset fashion-mnist:{data}");
        if (tabular)
            race.Should()
                .Contain("--workers 8", "a table's workers are simulated: part of the race, not of the machine");
        else
            race.Should()
                .NotContain(
                    "--workers",
                    "the cluster's slots, and a cap on them, are not the machine's that runs it again"
                );
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
