using System.CommandLine;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Cli;

/// <summary>
/// Once per run, before a command runs: brings the user's files from the old places into the one home
/// (<see cref="NasHomeMigration"/>) and prints what it says on stderr, each line prefixed <c>nas: </c> (stderr, so a
/// <c>--json</c> document on stdout stays whole). Not for help or a command line without a command, nor for the
/// hidden contestant-process child: its race did this already, and it reads the same home.
/// </summary>
internal static class HomeNotices
{
    public static void Run(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        if (parsed.Action is null || parsed.Action != command.Action || command.Name == ContestantProcessCommand.Name)
            return;
        foreach (string notice in NasHomeMigration.Run())
            error.WriteLine($"nas: {notice}");
    }
}
