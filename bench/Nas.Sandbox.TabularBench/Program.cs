using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.TabularBench;

/// <summary>
/// Tabular race figures, printed side by side: evaluations per second of the built-in strategies racing on a table
/// (10 heats, in-process, with the journal written as `nas race` writes it, and without a journal), and the wall time
/// from starting `nas race --estimator tabular` to the first trial line in its journal.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: Nas.Sandbox.TabularBench [--table PATH] [--budget N (default 5000)] [--rounds N (default 3)]";

    public static int Main(string[] args)
    {
        string? table = null;
        int budget = 5000,
            rounds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--table" when i + 1 < args.Length:
                    table = args[++i];
                    break;
                case "--budget" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b > 0:
                    budget = b;
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0:
                    rounds = r;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        table ??= ShippedTables.DefaultPath;
        using var host = SandboxHost.Create(typeof(Program).Assembly);
        var loadClock = Stopwatch.StartNew();
        var loaded = TabularTable.Load(table, TableColumns.For(table, null, null), host.Operations.Names);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"loading the table: {loadClock.Elapsed.TotalMilliseconds:0} ms (first load in the process, JIT included)"
            )
        );
        var estimator = new TabularEstimator(loaded);
        var space = new Nb201Space(loaded.Operations);
        var settings = new RaceSettings
        {
            Contestants =
            [
                ContestantSpec.Parse("random-search:distinct=false"),
                ContestantSpec.Parse("regularized-evolution"),
            ],
            Budget = budget,
            Heats = 10,
            Seed = 1,
            Estimator = "tabular",
        };
        Console.WriteLine(
            $"table {table} ({loaded.Count} architectures); 2 contestants × 10 heats × {budget} evaluations = {2 * 10 * budget:N0} per race"
        );
        string journal = Path.Combine(Path.GetTempPath(), $"nas-tabular-bench-{Environment.ProcessId}.jsonl");
        Race(host, space, estimator, settings with { Budget = 100 }, new NullJournal()); // warm-up: JIT, plugin load
        for (int round = 1; round <= rounds; round++)
        {
            File.Delete(journal);
            double withJournal,
                without;
            using (var writer = new JournalWriter(journal, syncTrials: false))
                withJournal = Race(host, space, estimator, settings, writer);
            without = Race(host, space, estimator, settings, new NullJournal());
            // Syncing every trial line to disk costs a flush per lookup: a tenth of the budget is enough to measure it.
            File.Delete(journal);
            double synced;
            using (var writer = new JournalWriter(journal, syncTrials: true))
                synced = Race(host, space, estimator, settings with { Budget = Math.Max(100, budget / 10) }, writer);
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round}: {withJournal:N0} evaluations/s with the journal as nas race writes it (lookups batched), {synced:N0}/s syncing every trial line to disk, {without:N0}/s without a journal"
                )
            );
        }
        File.Delete(journal);
        Isolation(host, space, estimator, settings with { Budget = Math.Max(100, budget / 10) });
        TimeToFirstTrial(table);
        return 0;
    }

    private static double Race(
        SandboxHost host,
        Nb201Space space,
        TabularEstimator estimator,
        RaceSettings settings,
        IRaceJournal journal
    )
    {
        var referee = new Referee(space, estimator, host.Strategies, journal);
        var clock = Stopwatch.StartNew();
        var summary = referee.RunAsync(settings).GetAwaiter().GetResult();
        return summary.Contestants.Sum(c => c.Evaluations) / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The same race with contestants in their own processes (<c>--isolation process</c>) and in-process, interleaved:
    /// what a round trip over the pipe per Ask and Tell costs (process start-up excluded: the processes are started
    /// before the clock, as the referee starts them before the first heat).
    /// </summary>
    private static void Isolation(SandboxHost host, Nb201Space space, TabularEstimator estimator, RaceSettings settings)
    {
        var start = new Nas.Sandbox.Core.Racing.Isolation.ContestantProcessStart(
            "dotnet",
            [NasDll, "contestant-process"]
        );
        for (int round = 1; round <= 2; round++)
        {
            double inProcess = Race(host, space, estimator, settings, new NullJournal());
            using var processes = new Nas.Sandbox.Core.Racing.Isolation.ContestantProcesses(
                start,
                [],
                [],
                space,
                settings,
                "fashion-mnist",
                null
            );
            foreach (var contestant in settings.Contestants)
                processes.PrepareAsync(host.Strategies.Get(contestant.Strategy)).GetAwaiter().GetResult();
            var referee = new Referee(space, estimator, host.Strategies, new NullJournal(), null, processes);
            var clock = Stopwatch.StartNew();
            var summary = referee.RunAsync(settings with { ContestantProcesses = true }).GetAwaiter().GetResult();
            double isolated = summary.Contestants.Sum(c => c.Evaluations) / clock.Elapsed.TotalSeconds;
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"isolation, round {round}: {inProcess:N0} evaluations/s in-process, {isolated:N0}/s with contestants in their own processes ({1e6 / isolated - 1e6 / inProcess:0} µs more per evaluation: an Ask and a Tell over the pipe)"
                )
            );
        }
    }

    private static string NasDll
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            string repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
            return Path.Combine(repo, "src", "Nas.Sandbox.Cli", "bin", configuration, "net10.0", "nas.dll");
        }
    }

    /// <summary>Starts the real `nas race --estimator tabular` and watches its journal for the first trial.</summary>
    private static void TimeToFirstTrial(string table)
    {
        string nas = NasDll;
        for (int run = 1; run <= 3; run++)
        {
            string journal = Path.Combine(Path.GetTempPath(), $"nas-first-trial-{Environment.ProcessId}-{run}.jsonl");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (
                string arg in new[]
                {
                    nas,
                    "race",
                    "--estimator",
                    "tabular",
                    "--table",
                    table,
                    "--journal",
                    journal,
                    "--league",
                    journal + ".league.json",
                }
            )
                start.ArgumentList.Add(arg);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            double? first = null;
            while (first is null && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (
                    File.Exists(journal)
                    && File.ReadLines(journal).Any(l => l.StartsWith("{\"type\":\"trial\"", StringComparison.Ordinal))
                )
                    first = clock.Elapsed.TotalSeconds;
                else
                    Thread.Sleep(5); // a benchmark polling another process's file: there is nothing to await
            }
            process.WaitForExit();
            Console.WriteLine(
                first is { } s
                    ? string.Create(
                        CultureInfo.InvariantCulture,
                        $"time to first trial, run {run}: {s:0.00} s (whole race {clock.Elapsed.TotalSeconds:0.00} s)"
                    )
                    : $"time to first trial, run {run}: no trial within 60 s"
            );
            foreach (string f in new[] { journal, journal + ".league.json", journal + ".league.json.lock" })
                File.Delete(f);
        }
    }
}
