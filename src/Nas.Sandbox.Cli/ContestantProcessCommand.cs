using System.CommandLine;
using Nas.Sandbox.Core.Racing.Isolation;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas contestant-process</c> (hidden): the child a race starts for each contestant under <c>--isolation process</c>.
/// It serves its contestant on the race's pipe (<see cref="ContestantWorker"/>) and leaves when the race is gone
/// (<see cref="ChildProcessCommand"/>).
/// </summary>
internal static class ContestantProcessCommand
{
    public const string Name = "contestant-process";

    public static Command Create() =>
        ChildProcessCommand.Create(
            Name,
            "Serve one contestant of a race in its own process (started by the race).",
            stream => ContestantWorker.Serve(stream, typeof(ContestantProcessCommand).Assembly)
        );

    /// <summary>How this program starts a contestant process: the same host, through <c>dotnet</c> when it runs that way.</summary>
    public static ContestantProcessStart StartOfThisHost(long? heapLimitBytes = null) =>
        StartOfThisHost(Name, heapLimitBytes);

    /// <summary>How this program starts one of its hidden child commands (<paramref name="command"/>).</summary>
    public static ContestantProcessStart StartOfThisHost(string command, long? heapLimitBytes = null)
    {
        string program = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(ContestantProcessCommand).Assembly.Location;
        bool viaDotnet = Path.GetFileNameWithoutExtension(program).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return new ContestantProcessStart(program, viaDotnet ? [assembly, command] : [command])
        {
            HeapLimitBytes = heapLimitBytes,
        };
    }
}
