using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Test doubles for fast referee tests: an estimator that scores an architecture by a fixed formula (the share of
/// nor_conv_3x3 edges) at a fixed simulated cost, and strategies that misbehave on purpose.
/// </summary>
internal sealed class FormulaEstimator(TimeSpan? delay = null) : IEstimator
{
    public int Evaluations { get; private set; }
    public string Name => "formula";

    public async Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        if (delay is { } d)
            await Task.Delay(d, cancellation);
        Evaluations++;
        double accuracy = 0.1 + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0;
        return new EvaluationResult
        {
            Status = TrialStatus.Ok,
            Metrics = new Metrics { ValidationAccuracy = accuracy },
            CostSeconds = 1.5,
            Fidelity = request.Fidelity,
        };
    }
}

internal sealed class TestStrategyFactory(string name, Func<IStrategy> create, IReadOnlyList<Knob>? knobs = null)
    : IStrategyFactory
{
    public string Name => name;
    public string Description => "test strategy";
    public IReadOnlyList<Knob> Knobs => knobs ?? [];

    public IStrategy Create(KnobValues values) => create();

    public StrategyEntry Entry() => new(this, new StrategySource("test", "tests", "0"));
}

internal sealed class DelegateStrategy(Func<SearchContext, Architecture> ask, Action<Trial>? tell = null) : IStrategy
{
    public List<Trial> Told { get; } = [];

    public Architecture Ask(SearchContext context) => ask(context);

    public void Tell(Trial trial)
    {
        Told.Add(trial);
        tell?.Invoke(trial);
    }
}

/// <summary>A journal that keeps the events in memory, for assertions.</summary>
internal sealed class ListJournal : IRaceJournal
{
    public List<RaceEvent> Events { get; } = [];

    public void Append(RaceEvent raceEvent)
    {
        lock (Events)
            Events.Add(raceEvent);
    }
}

/// <summary>
/// The built `nas` executable run as a child process, as a user runs it. Unless the caller sets <c>NAS_HOME</c>,
/// each run gets a fresh temporary home (deleted afterwards), so no test ever reads or writes the real one: its
/// plugins, scripts, packs or league. (A caller that removes NAS_HOME sets HOME to a fake user profile.)
/// </summary>
internal static class NasProcess
{
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static (int Exit, string Out, string Err) Run(params string[] args) =>
        Run(new Dictionary<string, string?>(), args);

    /// <summary>
    /// The environment of a race whose HTML report a test checks: the suite turns the report off for every other
    /// `nas race` (<see cref="TestAssemblySetup"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> WithRaceReport { get; } =
        new Dictionary<string, string?> { ["NAS_RACE_REPORT"] = "on" };

    /// <summary>Starts nas in the background with <c>NAS_HOME</c> = <paramref name="home"/>; the caller reads its output and waits.</summary>
    public static Process Start(string home, params string[] args) =>
        Start(home, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start(string, string[])"/>, with more environment variables.</summary>
    public static Process Start(string home, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(args);
        start.Environment[NasHome.Variable] = home;
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start)!;
    }

    private static ProcessStartInfo StartInfo(string[] args)
    {
        string dll = Path.Combine(
            ScriptTestKit.RepoRoot,
            "src",
            "Nas.Sandbox.Cli",
            "bin",
            Configuration,
            "net10.0",
            "nas.dll"
        );
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>
    /// A home other than the default (the temporary one, or one the test names) makes nas say, on a machine whose real
    /// <c>~/.nas/plugins</c>, <c>~/.nas/scripts</c> or <c>~/.nas-sandbox</c> hold files, that those are not read. It
    /// depends on the machine, not on what a test runs, so it is taken out of the output the test sees, unless the test
    /// sets HOME to a fake user profile of its own (NasHomeCliTests checks that notice there).
    /// </summary>
    private static string WithoutOtherHomeNotice(string stderr) =>
        string.Concat(
            stderr
                .Split('\n')
                .Where(l => !l.StartsWith("nas: NAS_HOME is ", StringComparison.Ordinal))
                .Select((l, i) => i == 0 ? l : "\n" + l)
        );

    /// <summary>Runs nas with extra environment variables (a null value removes the variable).</summary>
    public static (int Exit, string Out, string Err) Run(
        IReadOnlyDictionary<string, string?> environment,
        params string[] args
    )
    {
        var start = StartInfo(args);
        string? home = environment.ContainsKey(NasHome.Variable)
            ? null
            : Directory.CreateTempSubdirectory("nas-home-").FullName;
        if (home is not null)
            start.Environment[NasHome.Variable] = home;
        foreach (var (name, value) in environment)
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // A guard against a nas that never ends, not a time limit: a race of crashing contestant processes took over
            // 3 minutes with the load average at 40.
            if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
            {
                process.Kill(true);
                throw new TimeoutException("nas did not finish in 15 minutes");
            }
            return (
                process.ExitCode,
                stdout.Result,
                environment.ContainsKey("HOME") ? stderr.Result : WithoutOtherHomeNotice(stderr.Result)
            );
        }
        finally
        {
            if (home is not null)
                Directory.Delete(home, recursive: true);
        }
    }
}

/// <summary>
/// A `nas race` started in the background, for tests that act while it runs (kill it, kill or add a worker, install a
/// pack): its stdout and stderr collected as they come, its journal read while it is written. Killed (with its
/// process tree) when disposed if it still runs.
/// </summary>
internal sealed class RaceRun : IDisposable
{
    private readonly Task<string> _stdout,
        _stderr;

    private RaceRun(Process process, string journal)
    {
        Process = process;
        Journal = journal;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>The journal the race writes (its <c>--journal</c>).</summary>
    public string Journal { get; }

    /// <summary>Starts <c>nas ARGS</c> (a race with a <c>--journal</c>) with <c>NAS_HOME</c> = <paramref name="home"/>.</summary>
    public static RaceRun Start(string home, params string[] args)
    {
        int journal = Array.IndexOf(args, "--journal") + 1;
        if (journal == 0 || journal == args.Length)
            throw new ArgumentException("a background race needs a --journal to be watched", nameof(args));
        return new RaceRun(NasProcess.Start(home, args), args[journal]);
    }

    /// <summary>The journal's lines holding <paramref name="marker"/> so far (none before it exists).</summary>
    public int Count(string marker) => CountLines(Journal, marker);

    /// <summary>The lines of <paramref name="journal"/> holding <paramref name="marker"/>, read while a race writes it.</summary>
    public static int CountLines(string journal, string marker)
    {
        if (!File.Exists(journal))
            return 0;
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        int count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains(marker, StringComparison.Ordinal))
                count++;
        return count;
    }

    /// <summary>The trials journaled so far.</summary>
    public int Trials => Count("\"type\":\"trial\"");

    /// <summary>
    /// Waits (polling every <paramref name="poll"/>) until <paramref name="condition"/> holds; fails, saying what the
    /// race printed, if the race ends first or <paramref name="limit"/> passes. A guard against a race that never gets
    /// there, not a time limit on it.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan limit, TimeSpan? poll = null)
    {
        var until = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (Process.HasExited)
                Assert.Fail($"the race ended before {what} (exit {Process.ExitCode}):\n{await _stderr}");
            if (DateTime.UtcNow > until)
                Assert.Fail($"waited {limit.TotalMinutes:0.#} min for {what}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>
    /// Waits for the race to end and returns what it printed; if it has not ended within <paramref name="limit"/>, kills
    /// it and fails with its stderr and the journal's last lines (what tells a hang from a slow machine).
    /// </summary>
    public async Task<(int Exit, string Out, string Err)> EndAsync(TimeSpan limit)
    {
        if (!Process.WaitForExit(limit))
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            string tail = File.Exists(Journal) ? string.Join('\n', File.ReadLines(Journal).TakeLast(8)) : "(none)";
            Assert.Fail(
                $"the race did not end within {limit.TotalMinutes:0.#} min.\nstderr:\n{await _stderr}\njournal tail:\n{tail}"
            );
        }
        return (Process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>SIGKILL to the race process only (not its children), as a crash or the OOM killer would.</summary>
    public void Kill()
    {
        Process.Kill();
        Process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
                Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
