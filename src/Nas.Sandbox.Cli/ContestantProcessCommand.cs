using System.CommandLine;
using System.Diagnostics;
using System.IO.Pipes;
using Nas.Sandbox.Core.Racing.Isolation;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas contestant-process</c> (hidden): the child a race starts for each contestant under <c>--isolation process</c>.
/// It connects to the race's pipe and serves its contestant there (<see cref="ContestantWorker"/>). It also leaves
/// when the race's process is gone, even while the strategy is stuck in a loop: a killed race leaves no orphans
/// spinning on the machine's cores.
/// </summary>
internal static class ContestantProcessCommand
{
    public const string Name = "contestant-process";

    public static Command Create()
    {
        var pipe = new Option<string>("--pipe") { Required = true };
        var parent = new Option<int>("--parent") { Required = true };
        var command = new Command(Name, "Serve one contestant of a race in its own process (started by the race).")
        {
            Hidden = true,
        };
        command.Options.Add(pipe);
        command.Options.Add(parent);
        command.SetAction(result =>
        {
            WatchParent(result.GetValue(parent));
            using var stream = new NamedPipeClientStream(".", result.GetValue(pipe)!, PipeDirection.InOut);
            try
            {
                stream.Connect(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine("error: the race's pipe did not answer within 30 s.");
                return 1;
            }
            return ContestantWorker.Serve(stream, typeof(ContestantProcessCommand).Assembly);
        });
        return command;
    }

    /// <summary>Exits when the parent process ends (checked twice a second).</summary>
    internal static void WatchParent(int parentId)
    {
        Process parent;
        try
        {
            parent = Process.GetProcessById(parentId);
        }
        catch (ArgumentException)
        {
            Environment.Exit(1);
            return;
        }
        var watcher = new Thread(() =>
        {
            while (!parent.WaitForExit(500)) { }
            Environment.Exit(1);
        })
        {
            IsBackground = true,
            Name = "parent watch",
        };
        watcher.Start();
    }

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
