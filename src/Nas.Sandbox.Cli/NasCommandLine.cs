using System.CommandLine;
using System.Text.RegularExpressions;

namespace Nas.Sandbox.Cli;

/// <summary>The `nas` command tree (reference: docs/reference/cli.md, which a test keeps in step with it).</summary>
public static partial class NasCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Nas.Sandbox: race neural architecture search strategies head-to-head.");
        root.Subcommands.Add(RaceCommand.Create());
        root.Subcommands.Add(TuiCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(ScriptCommand.Create());
        root.Subcommands.Add(LeagueCommand.Create());
        root.Subcommands.Add(TabulateCommand.Create());
        root.Subcommands.Add(EstimatorsCommand.Create());
        root.Subcommands.Add(ParetoCommand.Create());
        root.Subcommands.Add(Report.ReportCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(PackCommand.Create());
        root.Subcommands.Add(ContestantProcessCommand.Create());
        root.Subcommands.Add(EstimatorProcessCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        return root;
    }

    /// <summary>
    /// The command line's own errors (an option value of the wrong type, an unknown option, a missing argument) as
    /// `error: ...` lines, like every other user error, instead of the parser's message followed by the whole help;
    /// null when there are none. Type names become words: 'System.Nullable`1[System.Int32]' reads "a whole number".
    /// </summary>
    public static string? ParseErrors(ParseResult result)
    {
        if (result.Errors.Count == 0)
            return null;
        var text = new System.Text.StringBuilder();
        foreach (var error in result.Errors)
            text.Append("error: ")
                .Append(ExpectedType().Replace(error.Message, m => "(expected " + Describe(m.Groups[1].Value) + ")"))
                .Append('\n');
        // The whole path of a nested command (nas pack verify, not nas verify).
        var names = new List<string>();
        for (
            var at = result.CommandResult;
            at.Command is not RootCommand;
            at = (System.CommandLine.Parsing.CommandResult)at.Parent!
        )
            names.Insert(0, at.Command.Name);
        string command = string.Join(' ', ["nas", .. names]);
        text.Append($"({command} --help lists the options.)\n");
        return text.ToString();
    }

    private static string Describe(string type) =>
        type switch
        {
            _ when type.Contains("Int32") || type.Contains("Int64") => "a whole number",
            _ when type.Contains("Double") || type.Contains("Single") => "a number",
            _ when type.Contains("Boolean") => "true or false",
            _ => type,
        };

    [GeneratedRegex(@"as expected type '([^']*)'\.?")]
    private static partial Regex ExpectedType();
}
