using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Resume at the edges a review found: the league counts a resumed race once, scripts and tables are read as the race
/// read them, a contestant brought back by a new build stays back, an ask cut short is not charged twice, and a
/// mistyped journal line is named, not a stack trace.
/// </summary>
public sealed class ResumeEdgeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-resume-edge-").FullName;
    private string Home => Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;

    private (int Exit, string Out, string Err) Nas(params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = Home }, args);

    private static string[] Trials(string journal) =>
        File.ReadLines(journal)
            .Select(JObject.Parse)
            .Where(e => (string)e["type"]! == "trial")
            .Select(e => $"{e["heat"]}/{e["contestant"]}/{e["index"]} {e["arch"]} {e["metrics"]} {e["cost"]}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The journal's first lines, as a kill after line <paramref name="lines"/> leaves it.</summary>
    private string Cut(string journal, int lines, string name)
    {
        string cut = Path.Combine(_folder, name);
        File.WriteAllLines(cut, File.ReadLines(journal).Take(lines));
        return cut;
    }

    [Fact]
    public void A_resumed_race_counts_once_in_the_league()
    {
        string league = Path.Combine(_folder, "league.json"),
            journal = Path.Combine(_folder, "l.jsonl");
        Nas(
            "race",
            "--estimator",
            "tabular",
            "--heats",
            "3",
            "--budget",
            "10",
            "--seed",
            "5",
            "--journal",
            journal,
            "--league",
            league
        )
            .Exit.Should()
            .Be(0);
        int heatFinished = File.ReadLines(journal)
            .Select((l, i) => (l, i))
            .First(x => x.l.Contains("\"heat-finished\"") && x.l.Contains("\"heat\":1"))
            .i;
        string cut = Cut(journal, heatFinished + 1, "l-cut.jsonl");
        // The league of the uninterrupted race has all three heats under its start time; a resume of the same race,
        // cut after heat 1, recorded into a copy of it must find them there and add nothing.
        string cutLeague = Path.Combine(_folder, "league-cut.json");
        File.Copy(league, cutLeague);
        var (exit, _, err) = Nas("race", "--resume", cut, "--league", cutLeague);
        exit.Should().Be(0, err);
        static int[] Heats(string file) =>
            JObject.Parse(File.ReadAllText(file))["players"]!.Select(p => (int)p["heats"]!).ToArray();
        Heats(league).Should().HaveCount(2).And.OnlyContain(h => h == 3);
        Heats(cutLeague).Should().Equal(Heats(league));
    }

    [Fact]
    public void A_script_found_in_a_scripts_folder_resumes_without_naming_the_folder_again()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "my-scripts")).FullName;
        File.Copy(
            Path.Combine(ScriptTestKit.RepoRoot, "scripts", "greedy-local-search.csx"),
            Path.Combine(scripts, "mine.csx")
        );
        string journal = Path.Combine(_folder, "s.jsonl");
        Nas(
            "race",
            "--estimator",
            "tabular",
            "--heats",
            "2",
            "--budget",
            "15",
            "--scripts",
            scripts,
            "--strategy",
            "mine",
            "--strategy",
            "random-search",
            "--journal",
            journal
        )
            .Exit.Should()
            .Be(0);
        string cut = Cut(journal, 12, "s-cut.jsonl");
        var (exit, _, err) = Nas("race", "--resume", cut);
        exit.Should().Be(0, err);
        Trials(cut).Should().Equal(Trials(journal));
    }

    [Fact]
    public void A_table_read_with_a_column_mapping_in_percent_resumes_with_the_same_mapping()
    {
        // The shipped table with other column names and accuracies in percent.
        string shipped = ShippedTables.DefaultPath,
            table = Path.Combine(_folder, "percent.csv");
        var rows = File.ReadAllLines(shipped);
        var header = rows[0].Split(',');
        int validation = Array.IndexOf(header, "validation_accuracy"),
            test = Array.IndexOf(header, "test_accuracy");
        header[0] = "arch_str";
        header[validation] = "valid_acc";
        header[test] = "test_acc";
        File.WriteAllLines(
            table,
            rows.Skip(1)
                .Select(row =>
                {
                    var cells = row.Split(',');
                    foreach (int i in new[] { validation, test })
                        cells[i] = (
                            double.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture) * 100
                        ).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                    return string.Join(',', cells);
                })
                .Prepend(string.Join(',', header))
        );
        string journal = Path.Combine(_folder, "t.jsonl");
        var (exit, _, err) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--heats",
            "2",
            "--budget",
            "15",
            "--table",
            table,
            "--table-columns",
            "arch=arch_str,validation=valid_acc,test=test_acc",
            "--table-percent",
            "--journal",
            journal
        );
        exit.Should().Be(0, err);
        string cut = Cut(journal, 20, "t-cut.jsonl");
        (exit, _, err) = Nas("race", "--resume", cut);
        exit.Should().Be(0, err);
        Trials(cut).Should().Equal(Trials(journal));
        // Giving the mapping again could change it midway: refused.
        (exit, _, err) = Nas("race", "--resume", Cut(journal, 20, "t-cut2.jsonl"), "--table-percent");
        exit.Should().NotBe(0);
        err.Should().Contain("--table-percent");
    }

    [Fact]
    public void A_table_race_records_how_it_looked_up_and_a_journal_from_before_per_seed_lookups_resumes_on_the_mean()
    {
        // The shipped table has two seeds: by default each trial reports one of them.
        string sampled = Path.Combine(_folder, "sampled.jsonl"),
            mean = Path.Combine(_folder, "mean.jsonl");
        Nas("race", "--estimator", "tabular", "--heats", "2", "--budget", "15", "--seed", "3", "--journal", sampled)
            .Exit.Should()
            .Be(0);
        Nas(
            "race",
            "--estimator",
            "tabular",
            "--heats",
            "2",
            "--budget",
            "15",
            "--seed",
            "3",
            "--table-seeds",
            "mean",
            "--journal",
            mean
        )
            .Exit.Should()
            .Be(0);
        static string? Recorded(string journal) =>
            (string?)JObject.Parse(File.ReadLines(journal).First())["settings"]!["tableSeeds"];
        Recorded(sampled).Should().Be("sample");
        Recorded(mean).Should().Be("mean");
        Trials(sampled).Should().NotEqual(Trials(mean), "a sampled seed's validation differs from the seed-mean");

        // A journal written before the setting existed raced on the mean, and resumes on it.
        var lines = File.ReadAllLines(mean);
        var started = JObject.Parse(lines[0]);
        ((JObject)started["settings"]!).Remove("tableSeeds");
        lines[0] = started.ToString(Newtonsoft.Json.Formatting.None);
        string old = Path.Combine(_folder, "old.jsonl");
        File.WriteAllLines(old, lines.Take(20));
        var (exit, _, err) = Nas("race", "--resume", old);
        exit.Should().Be(0, err);
        Trials(old).Should().Equal(Trials(mean));
    }

    private ResumePoint Point(params string[] lines)
    {
        string path = Path.Combine(_folder, $"{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return ResumePoint.Read(JournalReader.Read(path), path, new Nb201Space());
    }

    private const string Started =
        """{"type":"race-started","time":"2026-11-23T10:00:00.0000000Z","settings":{"contestants":["a"],"budgetSeconds":60,"heats":1,"seed":1}}""";

    [Fact]
    public void A_contestant_that_sat_out_and_was_brought_back_by_a_new_build_stays_back_after_a_resume()
    {
        var point = Point(
            Started,
            """{"type":"heat-started","heat":0,"seed":1}""",
            """{"type":"contestant-failed","contestant":"a","heat":0,"index":5,"phase":"repeats","message":"..."}""",
            """{"type":"swap","contestant":"a","heat":0,"reason":"new build"}""",
            """{"type":"swap","contestant":"a","heat":0,"reason":"resume"}"""
        );
        point.Events(0, "a").Should().Equal(new ResumeEvent.SatOut(), new ResumeEvent.Swapped());
    }

    [Fact]
    public void Search_time_of_an_ask_whose_trial_was_never_journaled_is_not_restored()
    {
        var point = Point(
            Started,
            """{"type":"heat-started","heat":0,"seed":1}""",
            """{"type":"search-time","contestant":"a","heat":0,"index":0,"phase":"ask","seconds":1.5}""",
            """{"type":"trial","contestant":"a","heat":0,"index":0,"arch":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|","status":"ok","metrics":{},"cost":1,"cached":false}""",
            """{"type":"search-time","contestant":"a","heat":0,"index":1,"phase":"ask","seconds":2.5}"""
        );
        point.Events(0, "a").OfType<ResumeEvent.Charged>().Select(c => c.Seconds).Should().Equal(1.5);
    }

    [Theory]
    [InlineData("""{"type":"search-time","contestant":"a","index":0,"phase":"ask","seconds":1.5}""")]
    [InlineData("""{"type":"search-time","contestant":"a","heat":"x","index":0,"phase":"ask","seconds":1.5}""")]
    [InlineData("""{"type":"contestant-failed","contestant":null,"heat":0,"index":0,"phase":"ask","message":"m"}""")]
    public void A_mistyped_line_is_an_error_naming_its_line(string line)
    {
        var act = () => Point(Started, """{"type":"heat-started","heat":0,"seed":1}""", line);
        act.Should().Throw<NasException>().WithMessage("*.jsonl(3): *");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }
}
