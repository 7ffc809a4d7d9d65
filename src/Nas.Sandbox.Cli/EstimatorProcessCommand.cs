using System.CommandLine;
using System.IO.Pipes;
using Nas.Sandbox.Core.Racing.Workers;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas estimator-process</c> (hidden): a worker process a race starts for <c>--workers N</c>. It connects to the
/// race's pipe, makes the race's estimator from the same sources (the race's plugin and script folders, installed
/// packs), with the threads and device the race gave it, and evaluates trials there (<see cref="EstimatorWorker"/>).
/// It leaves when the race's process is gone, even mid-trial: a killed race leaves no workers training.
/// </summary>
internal static class EstimatorProcessCommand
{
    public const string Name = "estimator-process";

    public static Command Create()
    {
        var pipe = new Option<string>("--pipe") { Required = true };
        var parent = new Option<int>("--parent") { Required = true };
        var command = new Command(Name, "Evaluate a race's trials in a worker process (started by the race).")
        {
            Hidden = true,
        };
        command.Options.Add(pipe);
        command.Options.Add(parent);
        command.SetAction(result =>
        {
            ContestantProcessCommand.WatchParent(result.GetValue(parent));
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
            return EstimatorWorker.Serve(stream, setup =>
                WorkerSetup.Make(setup, typeof(EstimatorProcessCommand).Assembly)
            );
        });
        return command;
    }
}
