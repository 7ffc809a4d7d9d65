using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Nas.Sandbox.Tests;

/// <summary>A small real tabular race, run once through `nas race` as a user runs it, for the report tests.</summary>
public sealed class ReportRaceFixture : IDisposable
{
    public ReportRaceFixture()
    {
        Journal = Path.Combine(Folder, "race-report.jsonl");
        (Exit, Stdout, Stderr) = NasProcess.Run(
            NasProcess.WithRaceReport,
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "20",
            "--heats",
            "3",
            "--journal",
            Journal,
            "--league",
            Path.Combine(Folder, "league.json")
        );
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("nas-report-").FullName;
    public string Journal { get; }
    public int Exit { get; }
    public string Stdout { get; }
    public string Stderr { get; }

    public void Dispose() => Directory.Delete(Folder, true);
}

/// <summary>
/// A small real race on the macro space, run once through `nas race`: synflow scores each architecture without
/// training (seconds), for the reports of a space other than NB201. One race for the whole test run: the classes that
/// read it (<see cref="ReportTests"/>, <see cref="SpaceTrainingTests"/>) each get this fixture, but the race runs the
/// first time one asks, and its folder is deleted when the test process exits. Readers write only files of their own
/// names beside the journal.
/// </summary>
public sealed class MacroRaceFixture
{
    private sealed record Race(string Folder, string Journal, int Exit, string Stdout, string Stderr);

    private static readonly Lazy<Race> Shared = new(RunRace);

    public MacroRaceFixture() => (Folder, Journal, Exit, Stdout, Stderr) = Shared.Value;

    private static Race RunRace()
    {
        string folder = Directory.CreateTempSubdirectory("nas-report-macro-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a temporary folder; the OS clears it
        };
        string journal = Path.Combine(folder, "race-macro.jsonl");
        var (exit, stdout, stderr) = NasProcess.Run(
            NasProcess.WithRaceReport,
            "race",
            "--space",
            "macro",
            "--estimator",
            "synflow",
            "--dataset",
            "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            "--channels",
            "4",
            "--budget",
            "3",
            "--heats",
            "2",
            "--journal",
            journal,
            "--league",
            Path.Combine(folder, "league.json")
        );
        return new Race(folder, journal, exit, stdout, stderr);
    }

    public string Folder { get; }
    public string Journal { get; }
    public int Exit { get; }
    public string Stdout { get; }
    public string Stderr { get; }
}

/// <summary>`nas report` and the report `nas race` writes beside its journal: every chart a decodable PNG.</summary>
public sealed partial class ReportTests(ReportRaceFixture race, MacroRaceFixture macro)
    : IClassFixture<ReportRaceFixture>,
        IClassFixture<MacroRaceFixture>
{
    private static readonly string[] Contestants = ["random-search", "regularized-evolution"];
    private static readonly string[] ChromiumPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    [GeneratedRegex("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex EmbeddedPng();

    /// <summary>The report's embedded PNGs, each checked for the PNG signature and a non-empty image.</summary>
    private static IReadOnlyList<(int Width, int Height)> Charts(string html)
    {
        var sizes = new List<(int, int)>();
        foreach (Match match in EmbeddedPng().Matches(html))
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllBytes(file, Convert.FromBase64String(match.Groups[1].Value));
                sizes.Add(ParetoCliTests.PngSize(file));
            }
            finally
            {
                File.Delete(file);
            }
        }
        sizes.Should().OnlyContain(s => s.Item1 > 0 && s.Item2 > 0);
        return sizes;
    }

    [Fact]
    public void A_race_writes_its_report_beside_the_journal_with_every_chart_and_the_standings_and_tests()
    {
        race.Exit.Should().Be(0, race.Stderr);
        string html = Path.ChangeExtension(race.Journal, ".html");
        race.Stdout.Should().Contain($"report: {html}");
        string page = File.ReadAllText(html);
        Charts(page).Should().HaveCount(3, "best so far vs evaluations and vs seconds, and every trial");
        page.Should()
            .Contain("Best so far vs evaluations")
            .And.Contain("Best so far vs seconds")
            .And.Contain("Every trial");
        foreach (string contestant in Contestants)
            page.Should().Contain(contestant);
        page.Should().Contain("Wilcoxon", "the race's paired tests").And.Contain("Anytime standings");
        page.Should().Contain("<td>random-search</td><td>regularized-evolution</td>", "the pair tested");
        page.Should().Contain("Winning cells").And.Contain("nor_conv_3x3").And.Contain("(0)");
        page.Should().Contain("<td>budget</td><td>20</td>", "the settings of the race-started line");
        page.Should().NotContain("http://").And.NotContain("https://", "the page is self-contained");
    }

    [Fact]
    public void Nas_report_writes_the_same_report_where_asked()
    {
        race.Exit.Should().Be(0, race.Stderr);
        string output = Path.Combine(race.Folder, "elsewhere", "r.html");
        var (exit, stdout, stderr) = NasProcess.Run("report", race.Journal, "--output", output);
        exit.Should().Be(0, stderr);
        stdout.Should().Contain($"report: {output}");
        Charts(File.ReadAllText(output)).Should().HaveCount(3);
    }

    [Fact]
    public void A_pareto_race_report_adds_the_fronts()
    {
        string journal = Path.Combine(race.Folder, "race-pareto.jsonl");
        var (exit, _, stderr) = NasProcess.Run(
            NasProcess.WithRaceReport,
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "pareto:accuracy,params",
            "--strategy",
            "nsga-ii",
            "--strategy",
            "random-search",
            "--budget",
            "20",
            "--heats",
            "2",
            "--journal",
            journal,
            "--league",
            Path.Combine(race.Folder, "league-pareto.json")
        );
        exit.Should().Be(0, stderr);
        string page = File.ReadAllText(Path.ChangeExtension(journal, ".html"));
        Charts(page).Should().HaveCount(4).And.Contain((900, 600), "the Pareto plot at its default size");
        page.Should().Contain("Pareto fronts").And.Contain("hypervolume").And.Contain("nsga-ii");
    }

    [Fact]
    public void A_race_cut_short_gets_a_report_of_its_trials_so_far_that_says_so()
    {
        race.Exit.Should().Be(0, race.Stderr);
        // A race killed in its second heat: its journal up to the first trial of heat 1, no race-finished line.
        var lines = File.ReadAllLines(race.Journal);
        int firstOfHeat1 = Array.FindIndex(lines, l => l.Contains("\"type\":\"trial\"") && l.Contains("\"heat\":1"));
        firstOfHeat1.Should().BePositive("the fixture races three heats");
        string journal = Path.Combine(race.Folder, "race-cut-short.jsonl");
        File.WriteAllLines(journal, lines[..(firstOfHeat1 + 1)]);

        var (exit, stdout, stderr) = NasProcess.Run("report", journal);

        exit.Should().Be(0, stderr);
        string page = File.ReadAllText(Path.ChangeExtension(journal, ".html"));
        stdout.Should().Contain("report: ");
        Charts(page).Should().HaveCount(3);
        page.Should().Contain("This race has not finished").And.Contain("of 2 heat(s) journaled so far");
        page.Should()
            .Contain("best objective (mean &#177; std over heats)", "the heats so far, not the race's ranking");
        foreach (string contestant in Contestants)
            page.Should().Contain(contestant);
    }

    [Fact]
    public void NAS_RACE_REPORT_off_leaves_the_report_to_nas_report_and_a_bad_value_is_refused_before_the_race()
    {
        string journal = Path.Combine(race.Folder, "race-no-report.jsonl");
        string[] args = ["race", "--estimator", "tabular", "--budget", "5", "--heats", "1", "--journal", journal];
        var (exit, stdout, stderr) = NasProcess.Run(
            new Dictionary<string, string?> { ["NAS_RACE_REPORT"] = "off" },
            args
        );
        exit.Should().Be(0, stderr);
        stdout.Should().Contain($"report: not written (NAS_RACE_REPORT=off; nas report {journal} writes it)");
        File.Exists(Path.ChangeExtension(journal, ".html")).Should().BeFalse();

        string other = Path.Combine(race.Folder, "race-bad-setting.jsonl");
        (exit, stdout, stderr) = NasProcess.Run(
            new Dictionary<string, string?> { ["NAS_RACE_REPORT"] = "yes" },
            [.. args[..^1], other]
        );
        exit.Should().NotBe(0);
        stderr.Trim().Should().Be("error: NAS_RACE_REPORT=yes: expected on or off.");
        File.Exists(other).Should().BeFalse("the setting is read before the race starts");
    }

    [Fact]
    public void A_missing_journal_is_one_error_naming_it()
    {
        string missing = Path.Combine(race.Folder, "no-such-race.jsonl");
        var (exit, stdout, stderr) = NasProcess.Run("report", missing);
        exit.Should().NotBe(0);
        stdout.Should().BeEmpty();
        stderr.Trim().Should().Contain(missing).And.Contain("no such journal file").And.NotContain("   at ");
        File.Exists(Path.ChangeExtension(missing, ".html")).Should().BeFalse();
    }

    [Fact]
    public void A_journal_with_no_finished_trial_is_one_error_naming_it()
    {
        // The race's own race-started line, and a heat that started but saw no trial come back.
        string journal = Path.Combine(race.Folder, "race-empty.jsonl");
        File.WriteAllLines(
            journal,
            [File.ReadLines(race.Journal).First(), """{"type":"heat-started","heat":0,"seed":1}"""]
        );
        var (exit, _, stderr) = NasProcess.Run("report", journal);
        exit.Should().NotBe(0);
        stderr.Should().Contain(journal).And.Contain("no finished trial").And.NotContain("   at ");
        File.Exists(Path.ChangeExtension(journal, ".html")).Should().BeFalse();
    }

    [Fact]
    public void A_macro_race_writes_its_report_with_the_winners_drawn_as_the_space_draws_them()
    {
        macro.Exit.Should().Be(0, macro.Stderr);
        string html = Path.ChangeExtension(macro.Journal, ".html");
        macro.Stdout.Should().Contain($"report: {html}").And.NotContain("no HTML report");
        macro.Stderr.Should().NotContain("no HTML report");
        string page = File.ReadAllText(html);
        Charts(page).Should().HaveCount(3);
        page.Should().Contain("<h2>Winning architectures (macro)</h2>").And.NotContain("Winning cells");
        // MacroSpaceProvider.Draw: one line per stage, its width and its layers' codes (k3e6, ...).
        page.Should().MatchRegex(@"<pre>stage 1  C   (k[357]e[36]|&#183;{4})( (k[357]e[36]|&#183;{4})){3}\n");
        page.Should().Contain("stage 3 4C ↓").And.Contain("<td>space</td><td>&quot;macro&quot;</td>");
        foreach (string contestant in Contestants)
            page.Should().Contain($"<h3>{contestant}</h3>");
    }

    [Fact]
    public void A_report_of_a_race_whose_space_cannot_be_made_is_one_error_naming_the_journal_and_the_space()
    {
        macro.Exit.Should().Be(0, macro.Stderr);
        // As if the race had searched a script's space whose script is gone.
        string journal = Path.Combine(macro.Folder, "race-gone.jsonl");
        File.WriteAllText(
            journal,
            File.ReadAllText(macro.Journal).Replace("\"space\":\"macro\"", "\"space\":\"gone-space\"")
        );
        var (exit, stdout, stderr) = NasProcess.Run("report", journal);
        exit.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr
            .Should()
            .Contain(journal)
            .And.Contain("space 'gone-space'")
            .And.Contain("Unknown search space")
            .And.NotContain("   at ");
        File.Exists(Path.ChangeExtension(journal, ".html")).Should().BeFalse();
    }

    /// <summary>
    /// Debian's headless Chromium (.ci/run installs it) opens the report from disk: the page's script titles it "ok N"
    /// once all N charts decoded, read back from the serialised DOM; a screenshot of the page is a real PNG.
    /// </summary>
    [SkippableFact]
    public void Headless_chromium_renders_the_report_with_every_chart()
    {
        string? chromium = ChromiumPaths.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "chromium is not installed: apt-get install -y chromium (.ci/run installs it)");
        race.Exit.Should().Be(0, race.Stderr);
        string url = new Uri(Path.ChangeExtension(race.Journal, ".html")).AbsoluteUri;
        string profile = Path.Combine(race.Folder, "chromium-profile"),
            screenshot = Path.Combine(race.Folder, "report.png");

        string dom = Chromium(chromium!, profile, "--virtual-time-budget=5000", "--dump-dom", url);
        dom.Should().Contain("<title>ok 3</title>", "all three charts decoded in the browser");

        Chromium(chromium!, profile, $"--screenshot={screenshot}", "--window-size=1200,3000", url);
        ParetoCliTests.PngSize(screenshot).Should().Be((1200, 3000));

        macro.Exit.Should().Be(0, macro.Stderr);
        string macroUrl = new Uri(Path.ChangeExtension(macro.Journal, ".html")).AbsoluteUri;
        dom = Chromium(chromium!, profile, "--virtual-time-budget=5000", "--dump-dom", macroUrl);
        dom.Should().Contain("<title>ok 3</title>", "the macro race's charts decoded too").And.Contain("stage 1");
    }

    /// <summary>Runs headless Chromium on its own profile, killed after a minute; returns its stdout.</summary>
    private static string Chromium(string chromium, string profile, params string[] args)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            string arg in new[]
            {
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                $"--user-data-dir={profile}",
                "--timeout=30000",
            }.Concat(args)
        )
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 60 s: {string.Join(' ', args)}");
        }
        process.ExitCode.Should().Be(0, stderr.Result);
        return stdout.Result;
    }
}
