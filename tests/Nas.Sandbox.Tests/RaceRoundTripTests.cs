using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Tests.Packs;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// A race's settings are journaled once and rebuilt into a command twice: by <c>nas race --resume</c> and by the
/// command a <c>nas pack build --from-race</c> pack records. Both must race what the original raced: the same settings
/// (the table by its contents, wherever it lies) and, on a table, the same results.
/// </summary>
public sealed class RaceRoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-roundtrip-").FullName;

    private string NewHome() =>
        Directory.CreateDirectory(Path.Combine(_folder, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    private static (int Exit, string Out, string Err) Nas(string home, params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = home }, args);

    private static JObject Started(string journal) => JObject.Parse(File.ReadLines(journal).First());

    /// <summary>The journaled settings, with the table known by its bytes rather than its path.</summary>
    private static JObject Settings(string journal)
    {
        var settings = (JObject)Started(journal)["settings"]!.DeepClone();
        if ((string?)settings["table"] is { } table)
            settings["table"] = Convert.ToHexString(
                System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(table))
            );
        return settings;
    }

    private static string Shipped(string name) =>
        Path.Combine(ScriptTestKit.RepoRoot, "src", "Nas.Sandbox.Core", "Tables", name);

    public static TheoryData<string, string[]> TabularRaces =>
        new()
        {
            // The shipped table with curves, raced without a ladder: not the table such a race gets by default.
            { "curves-table", ["--table", Shipped("nb201-fmnist-3op-curves.csv")] },
            // The default shipped table read another way.
            { "mapped-shipped-table", ["--table-columns", "validation=test_accuracy"] },
            { "own-processes", ["--isolation", "process"] },
            { "ladder", ["--fidelities", "1,3,9", "--budget-epochs", "40", "--early-stop", "median"] },
        };

    [Theory]
    [MemberData(nameof(TabularRaces))]
    public void A_shared_race_and_a_resumed_race_race_what_the_original_raced(string name, string[] options)
    {
        string author = NewHome();
        string journal = Path.Combine(_folder, $"{name}.jsonl");
        string[] race =
        [
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "20",
            "--heats",
            "2",
            "--seed",
            "4",
            .. options,
            "--json",
            "--journal",
            journal,
        ];
        var (exit, original, stderr) = Nas(author, race);
        exit.Should().Be(0, stderr);

        // Resumed from its first line: everything is raced again from the journal's settings.
        string resumed = Path.Combine(_folder, $"{name}-resumed.jsonl");
        File.WriteAllLines(resumed, File.ReadLines(journal).Take(1));
        (exit, var again, stderr) = Nas(author, "race", "--resume", resumed, "--json");
        exit.Should().Be(0, stderr);
        Results(again).Should().BeEquivalentTo(Results(original));

        // Shared, installed elsewhere, and run with the command the pack records.
        (exit, _, stderr) = Nas(
            author,
            "pack",
            "build",
            "--from-race",
            journal,
            "--license",
            "MIT",
            "-o",
            Path.Combine(_folder, $"{name}-feed")
        );
        exit.Should().Be(0, stderr);
        string other = NewHome();
        (exit, _, stderr) = Nas(other, "pack", "install", Path.Combine(_folder, $"{name}-feed", $"{name}.1.0.0.nupkg"));
        exit.Should().Be(0, stderr);
        (exit, var list, stderr) = Nas(other, "pack", "list", "--json");
        exit.Should().Be(0, stderr);
        string rerun = Path.Combine(_folder, $"{name}-rerun.jsonl");
        (exit, var shared, stderr) = Nas(
            other,
            ["race", .. PackListJson.RaceCommand(list), "--json", "--journal", rerun]
        );
        exit.Should().Be(0, stderr);

        // As text: FluentAssertions' equivalence does not look into a JObject's values.
        Settings(rerun)
            .ToString()
            .Should()
            .Be(Settings(journal).ToString(), "the shared race is the race that was run");
        Results(shared).Should().BeEquivalentTo(Results(original));
    }

    private static Dictionary<string, (double, double, int)> Results(string summaryJson) =>
        ((JArray)JObject.Parse(summaryJson)["contestants"]!).ToDictionary(
            c => (string)c["contestant"]!,
            c => ((double)c["bestValidationAccuracy"]!, (double)c["testAccuracyOfBest"]!, (int)c["evaluations"]!)
        );

    [Fact]
    public void A_tabular_race_on_cells_of_a_script_operation_resumes_with_its_recorded_scripts_folder()
    {
        // The example operation under a name no other script folder has, and the shipped table with it in place of
        // nor_conv_3x3: cells the host can read only once it has compiled that script.
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "ops")).FullName;
        File.WriteAllText(
            Path.Combine(scripts, "round-trip-op.csx"),
            File.ReadAllText(Path.Combine(ScriptTestKit.RepoRoot, "scripts", "nor-dil-conv-3x3.csx"))
                .Replace("\"nor_dil_conv_3x3\"", "\"round_trip_op\"")
        );
        string table = Path.Combine(_folder, "round-trip-op.csv");
        File.WriteAllText(
            table,
            File.ReadAllText(Shipped("nb201-fmnist-3op.csv")).Replace("nor_conv_3x3", "round_trip_op")
        );
        string home = NewHome();
        string journal = Path.Combine(_folder, "script-op.jsonl");

        var (exit, original, stderr) = Nas(
            home,
            "race",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--scripts",
            scripts,
            "--budget",
            "10",
            "--heats",
            "1",
            "--json",
            "--journal",
            journal
        );
        exit.Should().Be(0, stderr);
        Started(journal)["operations"]!.Values<string>().Should().Contain("round_trip_op");

        Started(journal)["settings"]!["scripts"]!.Values<string>().Should().Equal(scripts);

        // The journal says where the operation's script is: a resume needs no --scripts.
        File.WriteAllLines(journal, File.ReadLines(journal).Take(1).ToArray());
        (exit, var resumed, stderr) = Nas(home, "race", "--resume", journal, "--json");
        exit.Should().Be(0, stderr);
        Results(resumed).Should().BeEquivalentTo(Results(original));

        // Moved: the resume names the folder it cannot find, and a --scripts given says where it is now.
        string moved = Path.Combine(_folder, "ops-moved");
        Directory.Move(scripts, moved);
        File.WriteAllLines(journal, File.ReadLines(journal).Take(1).ToArray());
        (exit, _, stderr) = Nas(home, "race", "--resume", journal, "--json");
        exit.Should().Be(1);
        stderr
            .Should()
            .Contain($"the race loaded --scripts {scripts}, which is not a folder now")
            .And.NotContain("   at ");
        (exit, resumed, stderr) = Nas(home, "race", "--resume", journal, "--scripts", moved, "--json");
        exit.Should().Be(0, stderr);
        Results(resumed).Should().BeEquivalentTo(Results(original));
    }

    [Fact]
    public void A_data_folder_named_by_a_relative_path_is_journaled_in_full()
    {
        // A resumed race may run from another folder: the journal names the files it read wherever it is read.
        string journal = Path.Combine(_folder, "relative.jsonl");
        var (exit, _, stderr) = Nas(
            NewHome(),
            "race",
            "--estimator",
            "tabular",
            "--dataset",
            "fashion-mnist:some/relative/folder",
            "--budget",
            "3",
            "--heats",
            "1",
            "--journal",
            journal
        );
        exit.Should().Be(0, stderr);
        ((string)Started(journal)["settings"]!["dataset"]!)
            .Should()
            .Be($"fashion-mnist:{Path.GetFullPath("some/relative/folder")}");
    }

    [Fact]
    public void A_cluster_given_with_resume_replaces_the_journals_cluster()
    {
        string journal = Path.Combine(_folder, "on-cluster.jsonl");
        string home = NewHome();
        Nas(home, "race", "--estimator", "tabular", "--budget", "3", "--heats", "1", "--journal", journal)
            .Exit.Should()
            .Be(0);
        // As a race on a cluster journals it; only its first line, so that there is something to resume.
        var started = Started(journal);
        started["settings"]!["cluster"] = "redis://10.1.2.3:6379";
        File.WriteAllText(journal, started.ToString(Newtonsoft.Json.Formatting.None) + "\n");

        var (exit, _, stderr) = Nas(home, "race", "--resume", journal, "--cluster", "redis://127.0.0.1:1");
        exit.Should().Be(1);
        stderr.Should().Contain("--cluster redis://127.0.0.1:1").And.NotContain("expects a single argument");
        stderr.Should().NotContain("10.1.2.3");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
