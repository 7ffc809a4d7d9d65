using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Isolation;

/// <summary>
/// <c>nas race --isolation process</c>: contestants run in child processes, so that faults no in-process guard can
/// catch (Environment.Exit, a stack overflow, a native crash, a loop that never returns) cost that contestant only;
/// everyone else's race is the same as in-process.
/// </summary>
public sealed class ProcessIsolationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-isolation-").FullName;
    private string Home => Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;

    private static string Script(string name) =>
        Path.Combine(ScriptTestKit.RepoRoot, "tests", "Nas.Sandbox.Tests", "Isolation", name);

    private (int Exit, string Out, string Err) Nas(params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = Home }, args);

    private static JObject[] Lines(string journal) => File.ReadLines(journal).Select(JObject.Parse).ToArray();

    private static string[] Trials(JObject[] lines, string? contestant = null) =>
        lines
            .Where(e => (string)e["type"]! == "trial" && (contestant is null || (string)e["contestant"]! == contestant))
            .Select(e =>
                $"{e["heat"]}/{e["contestant"]}/{e["index"]} {e["arch"]} {e["status"]} {e["metrics"]} {e["cost"]} {e["cached"]}"
            )
            .ToArray();

    private static JObject[] Failures(JObject[] lines, string contestant) =>
        lines.Where(e => (string)e["type"]! == "contestant-failed" && (string)e["contestant"]! == contestant).ToArray();

    [Fact]
    public void Exit_stack_overflow_native_crash_and_a_spinning_loop_each_cost_only_their_contestant()
    {
        string journal = Path.Combine(_folder, "hostile.jsonl");
        string exits = Script("exits.csx"),
            overflows = Script("overflows-stack.csx"),
            crashes = Script("native-crash.csx"),
            spins = Script("spins.csx");
        // The spinner never returns, so it overruns any call timeout; the others' calls (a round trip to their process)
        // must never overrun it, however loaded the machine: 5 s, not less.
        var (exit, _, err) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "12",
            "--heats",
            "1",
            "--seed",
            "3",
            "--call-timeout",
            "5",
            "--isolation",
            "process",
            "--journal",
            journal,
            "--strategy",
            "random-search",
            "--strategy",
            exits,
            "--strategy",
            overflows,
            "--strategy",
            crashes,
            "--strategy",
            spins
        );
        exit.Should().Be(0, err);
        var lines = Lines(journal);
        lines.Should().ContainSingle(e => (string)e["type"]! == "race-finished");

        // The well-behaved contestant gets its whole budget, all of it evaluated.
        Trials(lines, "random-search").Should().HaveCount(12).And.OnlyContain(t => t.Contains(" ok "));
        Failures(lines, "random-search").Should().BeEmpty();

        // Each culprit: its fault journaled with what happened, marked as a crash (not the spinner: it was stopped).
        Failures(lines, exits)
            .Should()
            .HaveCount(2)
            .And.OnlyContain(e =>
                (string)e["phase"]! == "ask"
                && (bool?)e["crashed"] == true
                && ((string)e["message"]!).Contains("exit code 42")
            );
        Failures(lines, overflows).Should().ContainSingle().Which["message"]!
            .ToString()
            .Should()
            .Contain("Stack overflow")
            .And.Contain("SIGABRT");
        Failures(lines, crashes).Should().ContainSingle().Which["message"]!.ToString().Should().Contain("SIGSEGV");
        var stopped = Failures(lines, spins).Should().ContainSingle().Subject;
        stopped["message"]!.ToString().Should().Contain("did not return within 5 s");
        stopped["crashed"].Should().BeNull();

        // Each was rebuilt by replay in a fresh process and raced on to the end of its budget.
        foreach (string culprit in new[] { exits, overflows, crashes, spins })
        {
            lines
                .Where(e => (string)e["type"]! == "swap" && (string)e["contestant"]! == culprit)
                .Should()
                .NotBeEmpty(culprit);
            (Trials(lines, culprit).Length + Failures(lines, culprit).Length).Should().Be(12, culprit);
        }
    }

    [Fact]
    public void A_contestant_whose_process_keeps_crashing_sits_out_the_heat_and_a_resume_counts_its_crashes_back()
    {
        string[] race =
        [
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "8",
            "--heats",
            "2",
            "--seed",
            "5",
            "--isolation",
            "process",
            "--strategy",
            "random-search",
            "--strategy",
            Script("crashes-always.csx"),
        ];
        string crasher = Script("crashes-always.csx");
        string reference = Path.Combine(_folder, "reference.jsonl");
        var (exit, summary, err) = Nas([.. race, "--json", "--journal", reference]);
        exit.Should().Be(0, err);
        var lines = Lines(reference);
        foreach (int heat in new[] { 0, 1 })
        {
            var failures = Failures(lines, crasher).Where(e => (int)e["heat"]! == heat).ToArray();
            failures.Select(e => (string)e["phase"]!).Should().Equal("ask", "ask", "ask", Referee.CrashesPhase);
            failures[^1]["message"]!.ToString().Should().Contain($"crashed {Referee.MaxCrashesPerHeat} times");
        }
        Trials(lines, "random-search").Should().HaveCount(16);

        // Cut the journal after the second crash of heat 0, as a kill would, and resume: one more crash, then it sits out.
        string cut = Path.Combine(_folder, "cut.jsonl");
        int second = Array.FindIndex(lines, e => (string)e["type"]! == "contestant-failed" && (int)e["index"]! == 1);
        File.WriteAllLines(cut, File.ReadLines(reference).Take(second + 1));
        var (resumedExit, resumedSummary, resumedErr) = Nas("race", "--resume", cut, "--json");
        resumedExit.Should().Be(0, resumedErr);
        var resumed = Lines(cut);
        Failures(resumed, crasher)
            .Where(e => (int)e["heat"]! == 0)
            .Select(e => (string)e["phase"]!)
            .Should()
            .Equal("ask", "ask", "ask", Referee.CrashesPhase);
        Trials(resumed).Should().Equal(Trials(lines));
        Standings(resumedSummary).Should().Equal(Standings(summary));
    }

    private static string[] Standings(string summary) =>
        JObject.Parse(summary)["contestants"]!
            .Select(c =>
                $"{c["contestant"]} {c["evaluations"]} {c["failures"]} {c["bestValidationAccuracy"]} {c["testAccuracyOfBest"]}"
            )
            .ToArray();

    [Fact]
    public void A_race_in_contestant_processes_is_the_same_race_as_in_process()
    {
        string[] race =
        [
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "40",
            "--heats",
            "3",
            "--seed",
            "9",
            "--strategy",
            "random-search",
            "--strategy",
            "regularized-evolution:population=10",
            "--strategy",
            "local-search",
            "--strategy",
            Script("trains-on-kit.csx"),
        ];
        string inProcess = Path.Combine(_folder, "in-process.jsonl"),
            isolated = Path.Combine(_folder, "isolated.jsonl");
        var (exit, expected, err) = Nas([.. race, "--json", "--journal", inProcess]);
        exit.Should().Be(0, err);
        (exit, var got, err) = Nas([.. race, "--json", "--journal", isolated, "--isolation", "process"]);
        exit.Should().Be(0, err);

        Trials(Lines(isolated)).Should().Equal(Trials(Lines(inProcess)));
        Standings(got).Should().Equal(Standings(expected));
        // The contestant that touched its training kit in its process was charged for those asks, as in-process.
        static string[] Charges(string journal) =>
            Lines(journal)
                .Where(e => (string)e["type"]! == "search-time")
                .Select(e => $"{e["heat"]}/{e["contestant"]}/{e["index"]}/{e["phase"]}")
                .ToArray();
        Charges(isolated).Should().NotBeEmpty().And.Equal(Charges(inProcess));
    }

    [Fact]
    public void A_bad_knob_value_is_refused_before_the_race_when_contestants_run_in_processes()
    {
        var (exit, _, err) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "5",
            "--heats",
            "1",
            "--isolation",
            "process",
            "--journal",
            Path.Combine(_folder, "never.jsonl"),
            "--strategy",
            "regularized-evolution:population=abc"
        );
        exit.Should().NotBe(0);
        err.Should().Contain("regularized-evolution:population=abc").And.Contain("population");
        File.Exists(Path.Combine(_folder, "never.jsonl")).Should().BeFalse();
    }

    [Fact]
    public void An_unknown_isolation_mode_is_an_error_naming_the_option()
    {
        var (exit, _, err) = Nas("race", "--estimator", "tabular", "--isolation", "container");
        exit.Should().NotBe(0);
        err.Should().Contain("--isolation").And.Contain("container");
    }

    [Fact]
    public void A_killed_race_leaves_no_contestant_process_behind()
    {
        string journal = Path.Combine(_folder, "killed.jsonl");
        using var race = NasProcess.Start(
            Home,
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "10",
            "--heats",
            "1",
            "--call-timeout",
            "120",
            "--isolation",
            "process",
            "--journal",
            journal,
            "--strategy",
            "random-search",
            "--strategy",
            Script("spins.csx")
        );
        _ = race.StandardOutput.ReadToEndAsync();
        _ = race.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        // The spinner is inside its endless ask once its three trials are in the journal.
        while (
            !race.HasExited
            && waited.Elapsed < TimeSpan.FromMinutes(1)
            && Trials(File.Exists(journal) ? ReadShared(journal) : [], Script("spins.csx")).Length < 3
        )
            Thread.Sleep(50);
        Children(race.Id).Should().NotBeEmpty("the contestants run in processes of their own");
        var children = Children(race.Id);
        race.Kill(); // SIGKILL to the race only, not its process tree
        race.WaitForExit();
        var gone = Stopwatch.StartNew();
        // They check on the race twice a second; the limit only matters when they never leave.
        while (children.Any(Alive) && gone.Elapsed < TimeSpan.FromMinutes(1))
            Thread.Sleep(100);
        children
            .Where(Alive)
            .Should()
            .BeEmpty("a contestant process leaves when its race is gone, even one stuck in a loop");
    }

    private static JObject[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<JObject>();
        while (reader.ReadLine() is { } line)
            try
            {
                lines.Add(JObject.Parse(line));
            }
            catch (Newtonsoft.Json.JsonException) { } // a line being written
        return lines.ToArray();
    }

    /// <summary>Processes whose parent is <paramref name="parent"/> (Linux /proc).</summary>
    private static int[] Children(int parent) =>
        Directory
            .GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out int id) ? id : -1)
            .Where(id => id > 0)
            .Where(id =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{id}/stat").Split(") ")[1].Split(' ')[1]
                        == parent.ToString(CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToArray();

    private static bool Alive(int id)
    {
        try
        {
            return !File.ReadAllText($"/proc/{id}/stat").Split(") ")[1].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
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
