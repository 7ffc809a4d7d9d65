using System.Diagnostics;
using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// `nas race --resume`: a race killed with SIGKILL at random moments, again and again, and resumed each time, ends
/// with exactly the trials and standings of an uninterrupted run of the same seed: none lost, none paid twice.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    /// <summary>
    /// A multi-fidelity race on the curves test table: continuations, brackets mid-way and early stopping when killed.
    /// </summary>
    private static string[] LadderRace(int workers) =>
        [
            "race",
            "--estimator",
            "tabular",
            "--table",
            Path.Combine(ScriptTestKit.RepoRoot, "tests", "data", "nb201-2op-curves-3ep.csv"),
            "--fidelities",
            "1,3",
            "--early-stop",
            "median",
            "--budget",
            "20",
            "--heats",
            "3",
            "--seed",
            "11",
            "--workers",
            $"{workers}",
            "--strategy",
            "asha",
            "--strategy",
            "dehb",
            "--strategy",
            "bohb",
            "--strategy",
            "random-search",
        ];

    private static string[] Race(int heats = 4, int budget = 60, int workers = 1, bool ladder = false) =>
        ladder
            ? LadderRace(workers)
            :
            [
                "race",
                "--estimator",
                "tabular",
                "--budget",
                $"{budget}",
                "--heats",
                $"{heats}",
                "--seed",
                "11",
                "--workers",
                $"{workers}",
                "--strategy",
                "random-search",
                "--strategy",
                "regularized-evolution:population=10",
                "--strategy",
                "local-search",
                "--strategy",
                "reinforce",
            ];

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-resume-").FullName;
    private string Home => Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;

    private (int Exit, string Out, string Err) Nas(params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = Home }, args);

    /// <summary>Each trial by (heat, contestant, index), with what it recorded; a key recorded twice keeps both.</summary>
    private static Dictionary<string, List<string>> Trials(string journal)
    {
        var trials = new Dictionary<string, List<string>>();
        foreach (string line in File.ReadLines(journal))
        {
            var e = JObject.Parse(line);
            if ((string)e["type"]! != "trial")
                continue;
            string key = $"{e["heat"]}/{e["contestant"]}/{e["index"]}";
            string value =
                $"{e["arch"]} {e["status"]} {e["metrics"]} {e["cost"]} {e["cached"]} {e["rung"]} {e["continues"]} {e["message"]}";
            (trials.TryGetValue(key, out var list) ? list : trials[key] = []).Add(value);
        }
        return trials;
    }

    private static string[] Standings(string summary) =>
        JObject.Parse(summary)["contestants"]!
            .Select(c =>
                $"{c["contestant"]} {c["evaluations"]} {c["failures"]} {c["bestValidationAccuracy"]} {c["testAccuracyOfBest"]} {c["seconds"]} {c["epochs"]}"
            )
            .ToArray();

    /// <summary>SIGKILLs per race configuration, each at a random moment.</summary>
    private const int Kills = 10;

    /// <remarks>
    /// With 4 workers, random search, regularized evolution and local search have several trials in flight (REINFORCE
    /// stays sequential): a kill lands between a trial's start and its return, and the resume starts it again.
    /// </remarks>
    /// <para>The ladder race (multi-fidelity strategies, continuations, early stopping) is killed mid-bracket and
    /// mid-continuation alike: a resume starts an interrupted continuation again as the same continuation.</para>
    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void Races_killed_10_times_in_all_and_resumed_each_time_end_as_an_uninterrupted_one(int workers, bool ladder)
    {
        string reference = Path.Combine(_folder, "reference.jsonl");
        var (exit, expected, err) = Nas([.. Race(workers: workers, ladder: ladder), "--json", "--journal", reference]);
        exit.Should().Be(0, err);
        var expectedTrials = Trials(reference).ToDictionary(t => t.Key, t => t.Value.Single());
        if (ladder)
            File.ReadLines(reference)
                .Should()
                .Contain(l => l.Contains("\"continues\":"), "the multi-fidelity strategies continue trials")
                .And.Contain(l => l.Contains("(median rule)"), "random search's trials are stopped early");
        if (workers > 1)
            File.ReadLines(reference)
                .Where(l =>
                    l.Contains("\"type\":\"trial\"")
                    && l.Contains("\"contestant\":\"random-search\"")
                    && l.Contains("\"heat\":0,")
                )
                .Select(l => (int)JObject.Parse(l)["index"]!)
                .Should()
                .NotBeInAscendingOrder("random search has trials in flight that come back out of order");

        // How fast a race runs depends on the machine's load, so the same race is run again, into a new journal, until
        // the kills have landed; every run is resumed after each kill until it finishes, then checked. Ten kills for
        // each of the three races (thirty in all, each at a random moment) cost about 75 s of test time less than
        // twenty each did, and the moments still fall mid-trial, mid-write, mid-replay and after the end.
        var random = new Random(2026);
        int kills = 0,
            resumes = 0,
            races = 0;
        var waited = Stopwatch.StartNew();
        while (kills < Kills && waited.Elapsed < TimeSpan.FromMinutes(5))
        {
            string journal = Path.Combine(_folder, $"killed-{races++}.jsonl");
            while (true)
            {
                long length = File.Exists(journal) ? new FileInfo(journal).Length : 0;
                using var process = NasProcess.Start(
                    Home,
                    length > 0
                        ? ["race", "--resume", journal]
                        : [.. Race(workers: workers, ladder: ladder), "--journal", journal]
                );
                if (length > 0)
                    resumes++;
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                // Once this run has written something (start-up is not worth killing), at a random moment: mid-trial,
                // mid-write, mid-replay, or after the race ended.
                while (
                    !process.HasExited
                    && (!File.Exists(journal) || new FileInfo(journal).Length == length)
                    && waited.Elapsed < TimeSpan.FromMinutes(5)
                )
                    Thread.Sleep(5);
                if (kills >= Kills || process.WaitForExit(TimeSpan.FromMilliseconds(random.Next(0, 600))))
                {
                    process.WaitForExit();
                    process.ExitCode.Should().Be(0);
                    break;
                }
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                kills++;
            }
            var got = Trials(journal);
            got.Values.Should().OnlyContain(v => v.Count == 1, "no trial is recorded twice");
            got.ToDictionary(t => t.Key, t => t.Value[0])
                .Should()
                .BeEquivalentTo(expectedTrials, "no trial is lost or changed");
            File.ReadLines(journal).Count(l => l.Contains("\"type\":\"race-finished\"")).Should().Be(1);
            // The standings of the finished race, as `--json` of a resume would print them: from its race-finished line.
            var finished = JObject.Parse(File.ReadLines(journal).Last())["summary"]!.ToString();
            Standings(finished).Should().Equal(Standings(expected));
        }
        kills.Should().Be(Kills);
        resumes.Should().BeGreaterThanOrEqualTo(Kills);
    }

    [Fact]
    public void A_torn_last_line_is_cut_and_the_race_resumes()
    {
        string journal = Path.Combine(_folder, "torn.jsonl");
        var (exit, expected, err) = Nas([.. Race(heats: 1), "--json", "--journal", journal]);
        exit.Should().Be(0, err);
        // Keep the first 100 lines and half of the 101st, as a crash mid-write leaves it.
        var lines = File.ReadAllLines(journal);
        File.WriteAllText(journal, string.Join("\n", lines.Take(100)) + "\n" + lines[100][..(lines[100].Length / 2)]);

        (exit, var resumed, err) = Nas("race", "--resume", journal, "--json");
        exit.Should().Be(0, err);
        err.Should().Contain($"resuming {journal}: 0 heat(s) finished");
        Standings(resumed).Should().Equal(Standings(expected));
        Trials(journal).Values.Should().OnlyContain(v => v.Count == 1);
    }

    [Fact]
    public void Resume_refuses_race_options_and_says_when_a_race_finished()
    {
        string journal = Path.Combine(_folder, "done.jsonl");
        Nas([.. Race(heats: 1, budget: 5), "--journal", journal]).Exit.Should().Be(0);
        var (exit, _, err) = Nas("race", "--resume", journal, "--budget", "9");
        exit.Should().Be(1);
        err.Should().Contain("--resume takes the race's settings from its journal; remove --budget");
        (exit, _, err) = Nas("race", "--resume", journal);
        exit.Should().Be(0, err);
        err.Should().Contain("the race finished; there is nothing to resume");
        (exit, _, err) = Nas("race", "--resume", Path.Combine(_folder, "absent.jsonl"));
        exit.Should().Be(1);
        err.Should().Contain("absent.jsonl not found");
    }

    [Theory]
    [InlineData("--fidelities", "1,2")]
    [InlineData("--budget-epochs", "40")]
    [InlineData("--early-stop", "curve")]
    public void Resume_refuses_the_ladder_options_too(string option, string value)
    {
        // Given after the rebuilt options, the last value would win: the race would change under its journal.
        string journal = Path.Combine(_folder, $"ladder{option}.jsonl");
        string[] race = [.. LadderRace(workers: 1)];
        race[Array.IndexOf(race, "--heats") + 1] = "1";
        Nas([.. race, "--journal", journal]).Exit.Should().Be(0);
        var (exit, _, err) = Nas("race", "--resume", journal, option, value);
        exit.Should().Be(1);
        err.Trim().Should().Be($"error: --resume takes the race's settings from its journal; remove {option}.");
    }

    [Fact]
    public void A_training_race_on_a_fidelity_ladder_resumes_without_paying_a_finished_trial_again()
    {
        string journal = Path.Combine(_folder, "ladder-train.jsonl");
        var (exit, _, err) = Nas([
            "race",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--fidelities",
            "1,2",
            "--budget-epochs",
            "4",
            "--strategy",
            "random-search",
            .. TestData.TinyFidelity,
            "--seed",
            "3",
            "--journal",
            journal,
        ]);
        exit.Should().Be(0, err);
        var original = Trials(journal);
        original.Should().HaveCount(2);
        // Killed after its first trial: the journal up to that line.
        var lines = File.ReadAllLines(journal);
        int first = Array.FindIndex(lines, l => (string)JObject.Parse(l)["type"]! == "trial");
        File.WriteAllLines(journal, lines.Take(first + 1));

        (exit, _, err) = Nas("race", "--resume", journal);
        exit.Should().Be(0, err);
        err.Should().Contain($"resuming {journal}");
        var resumed = Trials(journal);
        resumed.Keys.Should().BeEquivalentTo(original.Keys);
        resumed.Values.Should().OnlyContain(v => v.Count == 1, "the finished trial is not paid again");
        resumed
            .Select(t => (t.Key, Arch: t.Value[0].Split(' ')[0]))
            .Should()
            .BeEquivalentTo(original.Select(t => (t.Key, Arch: t.Value[0].Split(' ')[0])));
    }

    [Fact]
    public void A_new_race_into_a_journal_that_holds_a_race_is_refused_and_the_journal_is_left_alone()
    {
        string journal = Path.Combine(_folder, "taken.jsonl");
        Nas([.. Race(heats: 1, budget: 5), "--journal", journal]).Exit.Should().Be(0);
        byte[] before = File.ReadAllBytes(journal);
        var (exit, _, err) = Nas([.. Race(heats: 1, budget: 5), "--journal", journal]);
        exit.Should().NotBe(0);
        err.Should().Contain(journal).And.Contain("already holds a race").And.Contain("--resume");
        File.ReadAllBytes(journal).Should().Equal(before);
    }

    [Fact]
    public void A_last_event_without_its_newline_is_kept_and_the_race_resumes_without_losing_it()
    {
        string journal = Path.Combine(_folder, "unterminated.jsonl");
        var (exit, expected, err) = Nas([.. Race(heats: 1), "--json", "--journal", journal]);
        exit.Should().Be(0, err);
        var expectedTrials = Trials(journal).ToDictionary(t => t.Key, t => t.Value.Single());
        // The first 40 lines, the last without its newline: a crash between writing an event and its newline.
        var lines = File.ReadAllLines(journal);
        lines[39].Should().Contain("\"type\":\"trial\"");
        File.WriteAllText(journal, string.Join("\n", lines.Take(40)));

        (exit, var resumed, err) = Nas("race", "--resume", journal, "--json");
        exit.Should().Be(0, err);
        err.Should()
            .Contain("completed its last line")
            .And.Contain($"resuming {journal}: 0 heat(s) finished, 38 trial(s) recorded");
        var got = Trials(journal);
        got.Values.Should().OnlyContain(v => v.Count == 1, "no trial is recorded twice");
        got.ToDictionary(t => t.Key, t => t.Value[0])
            .Should()
            .BeEquivalentTo(expectedTrials, "no trial is lost, the unterminated one included");
        Standings(resumed).Should().Equal(Standings(expected));
    }

    [Fact]
    public void Resuming_a_finished_race_with_json_prints_the_summary_the_race_printed()
    {
        string journal = Path.Combine(_folder, "finished.jsonl");
        var (exit, expected, err) = Nas([.. Race(heats: 2, budget: 10), "--json", "--journal", journal]);
        exit.Should().Be(0, err);
        byte[] before = File.ReadAllBytes(journal);
        (exit, var again, err) = Nas("race", "--resume", journal, "--json");
        exit.Should().Be(0, err);
        err.Should().Contain("the race finished; there is nothing to resume");
        again.Should().Be(expected);
        File.ReadAllBytes(journal).Should().Equal(before);
    }

    [Fact]
    public void A_journal_being_written_by_a_race_is_refused_to_a_resume_and_to_a_new_race_naming_the_process()
    {
        string journal = Path.Combine(_folder, "busy.jsonl");
        // Far too long to finish while two more nas processes start and are refused, however fast the machine or slow
        // their start (it is killed once they are refused).
        using var race = NasProcess.Start(Home, [.. Race(heats: 1000, budget: 5000), "--journal", journal]);
        _ = race.StandardOutput.ReadToEndAsync();
        _ = race.StandardError.ReadToEndAsync();
        try
        {
            var waited = Stopwatch.StartNew();
            while (
                !(File.Exists(journal) && new FileInfo(journal).Length > 0)
                && !race.HasExited
                && waited.Elapsed < TimeSpan.FromMinutes(1)
            )
                Thread.Sleep(20);
            var (exit, _, err) = Nas("race", "--resume", journal);
            exit.Should().Be(1, err);
            err.Should().Contain($"journal {journal} is in use by another nas process (pid {race.Id})");
            (exit, _, err) = Nas([.. Race(heats: 1, budget: 5), "--journal", journal]);
            exit.Should().Be(1, err);
            err.Should().Contain($"journal {journal} is in use by another nas process (pid {race.Id})");
            race.HasExited.Should().BeFalse("the race was still running when the others were refused");
        }
        finally
        {
            race.Kill(entireProcessTree: true);
            race.WaitForExit();
        }
        // Only the race wrote to it: no resume, and every trial once (the last line may be torn by the kill).
        var lines = File.ReadAllLines(journal);
        lines.Should().NotContain(l => l.Contains("\"type\":\"race-resumed\""));
        lines.Count(l => l.Contains("\"type\":\"race-started\"")).Should().Be(1);
        var trials = lines
            .SkipLast(1)
            .Where(l => l.Contains("\"type\":\"trial\""))
            .Select(l => JObject.Parse(l))
            .Select(e => $"{e["heat"]}/{e["contestant"]}/{e["index"]}")
            .ToList();
        trials.Should().OnlyHaveUniqueItems();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
