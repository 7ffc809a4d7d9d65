using System.CommandLine;
using System.Diagnostics;
using System.IO.Pipes;

namespace Nas.Sandbox.Cli;

/// <summary>
/// A hidden command a race starts as a child process (a contestant's, a worker's): it connects to the race's pipe
/// (<c>--pipe</c>), serves there, and leaves when the race's process (<c>--parent</c>) is gone, even while busy, so a
/// killed race leaves no orphans spinning on the machine's cores.
/// </summary>
internal static class ChildProcessCommand
{
    public static Command Create(string name, string description, Func<Stream, int> serve)
    {
        var pipe = new Option<string>("--pipe") { Required = true };
        var parent = new Option<int>("--parent") { Required = true };
        var command = new Command(name, description) { Hidden = true };
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
            return serve(stream);
        });
        return command;
    }

    /// <summary>Exits when the parent process ends (checked twice a second).</summary>
    private static void WatchParent(int parentId)
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
}
