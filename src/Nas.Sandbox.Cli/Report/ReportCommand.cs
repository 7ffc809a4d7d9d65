using System.CommandLine;
using Nas.Sandbox.Core.Hosting;

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
        // The race's space is made again to read its keys: a plugin or script space needs its folder.
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "report",
            "A race's HTML report from its journal: charts, standings, tests, best cells and settings, in one file."
        )
        {
            journal,
            output,
            plugins,
            scripts,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    using var host = SandboxHost.Create(
                        typeof(ReportCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts),
                        lazyScripts: true
                    );
                    string path = RaceReport.Write(result.GetValue(journal)!, host, result.GetValue(output));
                    Console.Out.WriteLine($"report: {path}");
                    return Task.FromResult(0);
                }));
        return command;
    }
}
