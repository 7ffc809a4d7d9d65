using System.CommandLine;

namespace Nas.Sandbox.Cli.Report;

/// <summary><c>nas report JOURNAL</c>: a race's self-contained HTML report (see <see cref="RaceReport"/>).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var journal = new Argument<string>("JOURNAL") { Description = "a race journal (runs/race-*.jsonl)" };
        var output = new Option<string?>("--output")
        {
            Description = "where to write the HTML [JOURNAL with .html beside it]",
            HelpName = "FILE",
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "report",
            "A race's HTML report from its journal: charts, standings, tests, best cells and settings, in one file."
        )
        {
            journal,
            output,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string path = RaceReport.Write(result.GetValue(journal)!, result.GetValue(output));
                    Console.Out.WriteLine($"report: {path}");
                    return Task.FromResult(0);
                }));
        return command;
    }
}
