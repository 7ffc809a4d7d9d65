using System.CommandLine;
using Nas.Sandbox.Core.Racing.Workers;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas estimator-process</c> (hidden): a worker process a race starts for <c>--workers N</c>. It makes the race's
/// estimator from the same sources (<see cref="WorkerSetup"/>) and evaluates trials on the race's pipe
/// (<see cref="EstimatorWorker"/>); it leaves when the race is gone, even mid-trial (<see cref="ChildProcessCommand"/>).
/// </summary>
internal static class EstimatorProcessCommand
{
    public const string Name = "estimator-process";

    public static Command Create() =>
        ChildProcessCommand.Create(
            Name,
            "Evaluate a race's trials in a worker process (started by the race).",
            stream =>
                EstimatorWorker.Serve(stream, setup =>
                    WorkerSetup.Make(setup, typeof(EstimatorProcessCommand).Assembly)
                )
        );
}
