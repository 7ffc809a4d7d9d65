using System.Diagnostics;
using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// <c>nas race --workers N</c> with an estimator that spends real time: N worker processes evaluate trials at once.
/// A trial's result does not depend on where it ran; a worker that dies or hangs fails its own trial only and is
/// replaced; a race killed with trials on its workers resumes them once and leaves no worker behind.
/// </summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-workers-").FullName;
    private string Home => Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private (int Exit, string Out, string Err) Nas(params string[] args) =>
        NasProcess.Run(new Dictionary<string, string?> { [NasHome.Variable] = Home }, args);

    /// <summary>
    /// A script estimator whose result is a function of the architecture, after a short sleep (a "training" that takes
    /// time but no cores). Its first edge decides its faults: <c>none</c> kills its own process (SIGKILL, as the kernel's
    /// out-of-memory killer would), <c>avg_pool_3x3</c> never returns.
    /// </summary>
    private string Estimator(bool faults, int milliseconds)
    {
        string path = Path.Combine(_folder, faults ? "faulty.csx" : "slow.csx");
        File.WriteAllText(
            path,
            $$"""
            using System.Diagnostics;

            public sealed class Sleepy : IEstimator
            {
                public string Name => "sleepy";

                public Task<EvaluationResult> EvaluateAsync(Architecture architecture, EvaluationRequest request, CancellationToken cancellation)
                {
                    if ({{(faults ? "true" : "false")}} && architecture.Choices[0] == "none")
                        Process.GetCurrentProcess().Kill();
                    if ({{(faults ? "true" : "false")}} && architecture.Choices[0] == "avg_pool_3x3")
                        Thread.Sleep(Timeout.Infinite);
                    Thread.Sleep({{milliseconds}});
                    double accuracy = architecture.Choices.Count(c => c.StartsWith("nor_conv")) / 6.0;
                    return Task.FromResult(new EvaluationResult
                    {
                        Status = TrialStatus.Ok,
                        Metrics = new Metrics { ValidationAccuracy = accuracy },
                        CostSeconds = {{milliseconds / 1000.0}},
                        Fidelity = request.Fidelity,
                    });
                }
            }
            """
        );
        return path;
    }

    private static List<JObject> Lines(string journal, string type) =>
        File.ReadLines(journal).Select(JObject.Parse).Where(e => (string)e["type"]! == type).ToList();

    [Fact]
    public void A_trial_gives_the_same_result_on_a_worker_process_as_in_the_race_process()
    {
        string[] Race(string journal, string workers) =>
            [
                "race",
                "--strategy",
                "random-search",
                "--dataset",
                "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
                "--budget",
                "4",
                .. TestData.TinyFidelity,
                "--seed",
                "5",
                "--workers",
                workers,
                "--worker-threads",
                "1",
                "--journal",
                journal,
            ];
        string inProcess = Path.Combine(_folder, "in-process.jsonl"),
            onWorkers = Path.Combine(_folder, "workers.jsonl");
        var one = Nas(Race(inProcess, "1"));
        one.Exit.Should().Be(0, one.Err);
        var two = Nas(Race(onWorkers, "2"));
        two.Exit.Should().Be(0, two.Err);

        // Random search asks the same architectures whatever comes back when; each trial trains from its own seed.
        static Dictionary<int, string> Results(string journal) =>
            Lines(journal, "trial")
                .ToDictionary(t => (int)t["index"]!, t => $"{t["arch"]} {t["status"]} {t["metrics"]}");
        Results(onWorkers).Should().Equal(Results(inProcess));
        Lines(onWorkers, "trial").Should().OnlyContain(t => (string)t["status"]! == "ok");

        var started = Lines(onWorkers, "race-started").Single();
        ((int)started["settings"]!["workers"]!).Should().Be(2);
        ((int)started["settings"]!["torchThreads"]!).Should().Be(1);
        Lines(onWorkers, "trial-started").Select(t => (int)t["index"]!).Should().BeEquivalentTo([0, 1, 2, 3]);
        // Two workers: some trials ran at the same time (on the heat's wall clock).
        var spans = Lines(onWorkers, "trial").Select(t => ((double)t["startedAt"]!, (double)t["finishedAt"]!)).ToList();
        spans.Should().OnlyContain(s => s.Item2 >= s.Item1);
        spans
            .Any(a => spans.Any(b => a != b && a.Item1 < b.Item2 && b.Item1 < a.Item2))
            .Should()
            .BeTrue("two workers evaluate two trials at once");
    }

    [Fact]
    public void A_worker_that_dies_or_hangs_fails_only_its_own_trial_and_a_new_worker_takes_its_place()
    {
        string journal = Path.Combine(_folder, "faults.jsonl");
        var (exit, _, stderr) = Nas(
            "race",
            "--estimator",
            Estimator(faults: true, milliseconds: 50),
            "--strategy",
            "random-search",
            "--budget",
            "8",
            "--seed",
            "0",
            "--workers",
            "2",
            "--worker-timeout",
            "2",
            "--journal",
            journal
        );
        exit.Should().Be(0, stderr);
        var trials = Lines(journal, "trial");
        trials.Select(t => (int)t["index"]!).Should().BeEquivalentTo(Enumerable.Range(0, 8), "each trial once");
        int killed = 0,
            hung = 0;
        foreach (var trial in trials)
        {
            string first = ((string)trial["arch"]!).Split('|')[1].Split('~')[0];
            string status = (string)trial["status"]!,
                message = (string?)trial["message"] ?? "";
            switch (first)
            {
                case "none":
                    killed++;
                    status.Should().Be("failed");
                    message.Should().Contain("SIGKILL").And.Contain("a new worker took its place");
                    break;
                case "avg_pool_3x3":
                    hung++;
                    status.Should().Be("failed");
                    message
                        .Should()
                        .Contain("within 2 s (--worker-timeout)")
                        .And.Contain("a new worker took its place");
                    ((double)trial["cost"]!).Should().BeApproximately(2, 1, "it is charged the worker-seconds it ran");
                    break;
                default:
                    status.Should().Be("ok", message);
                    break;
            }
        }
        // Random search with seed 0 asks one architecture of each kind (trials 2 and 3), whatever comes back when.
        killed.Should().Be(1);
        hung.Should().Be(1);
    }

    [Fact]
    public void A_race_killed_with_trials_on_its_workers_resumes_them_once_and_leaves_no_worker_behind()
    {
        string journal = Path.Combine(_folder, "killed.jsonl");
        string[] race =
        [
            "race",
            "--estimator",
            Estimator(faults: false, milliseconds: 400),
            "--strategy",
            "random-search",
            "--strategy",
            "regularized-evolution:population=4",
            "--budget",
            "10",
            "--workers",
            "2",
            "--journal",
            journal,
        ];
        using (var process = NasProcess.Start(Home, race))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (
                DateTime.UtcNow < deadline
                && !process.HasExited
                && (!File.Exists(journal) || File.ReadLines(journal).Count(l => l.Contains("\"trial\"")) < 4)
            )
                Thread.Sleep(50);
            process.HasExited.Should().BeFalse("the race is killed mid-heat");
            int pid = process.Id;
            process.Kill(); // SIGKILL
            process.WaitForExit();
            WorkersOf(pid, TimeSpan.FromSeconds(10)).Should().BeEmpty("workers leave when their race is gone");
        }
        int startedBefore = Lines(journal, "trial-started").Count,
            finishedBefore = Lines(journal, "trial").Count;
        startedBefore.Should().BeGreaterThan(finishedBefore, "the kill came with trials on the workers");

        var (exit, _, stderr) = Nas("race", "--resume", journal);
        exit.Should().Be(0, stderr);
        var contestants = Lines(journal, "trial").Select(t => (string)t["contestant"]!).Distinct().ToList();
        contestants.Should().HaveCount(2);
        foreach (string contestant in contestants)
        {
            Lines(journal, "trial")
                .Where(t => (string)t["contestant"]! == contestant)
                .Select(t => (int)t["index"]!)
                .Should()
                .BeEquivalentTo(Enumerable.Range(0, 10), $"{contestant}: every trial once, none lost, none paid twice");
            Lines(journal, "trial-started")
                .Where(t => (string)t["contestant"]! == contestant)
                .Select(t => (int)t["index"]!)
                .Should()
                .OnlyHaveUniqueItems("a trial restarted on resume is not started anew");
        }
    }

    [Fact]
    public void Contestants_share_the_workers_fairly_however_fast_they_ask()
    {
        // Two contestants that would each fill every worker (both ask with trials pending) and two workers: each gets one.
        string journal = Path.Combine(_folder, "fair.jsonl");
        var (exit, stdout, stderr) = Nas(
            "race",
            "--estimator",
            Estimator(faults: false, milliseconds: 300),
            "--strategy",
            "random-search",
            "--strategy",
            "local-search",
            "--budget",
            "6",
            "--workers",
            "2",
            "--journal",
            journal,
            "--json"
        );
        exit.Should().Be(0, stderr);
        var trials = Lines(journal, "trial");
        foreach (var group in trials.GroupBy(t => (string)t["contestant"]!))
        {
            // While the other contestant still asks, this one never holds both workers (at the end, it may: an idle
            // worker goes to whoever can use it).
            double otherAsks = trials
                .Where(t => (string)t["contestant"]! != group.Key)
                .Max(t => (double)t["startedAt"]!);
            var spans = group
                .Select(t => ((double)t["startedAt"]!, (double)t["finishedAt"]!))
                .Where(s => s.Item1 < otherAsks)
                .OrderBy(s => s.Item1)
                .ToList();
            spans.Count.Should().BeGreaterThanOrEqualTo(4);
            for (int i = 1; i < spans.Count; i++)
                spans[i]
                    .Item1.Should()
                    .BeGreaterThanOrEqualTo(spans[i - 1].Item2, $"{group.Key} never has both workers");
        }
        foreach (var contestant in JObject.Parse(stdout)["contestants"]!)
            ((double)contestant["meanWorkers"]!).Should().BeInRange(0.5, 1.0001);
    }

    /// <summary>The worker processes a race started (their command line names it as their parent), after waiting up to <paramref name="wait"/> for them to go.</summary>
    private static List<int> WorkersOf(int race, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var workers = new List<int>();
            foreach (string dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid))
                    continue;
                string[] args;
                try
                {
                    args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }
                int parent = Array.IndexOf(args, "--parent");
                if (
                    args.Contains("estimator-process")
                    && parent >= 0
                    && parent + 1 < args.Length
                    && args[parent + 1] == $"{race}"
                )
                    workers.Add(pid);
            }
            if (workers.Count == 0 || DateTime.UtcNow > deadline)
                return workers;
            Thread.Sleep(100);
        }
    }
}
