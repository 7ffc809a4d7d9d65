using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Isolation;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// A worker process's side (<c>nas estimator-process</c>, started by <see cref="WorkerPool"/>): it makes the race's
/// estimator from the setup the race sends (the same plugin and script folders, estimator, dataset, training settings
/// and device, with its own share of the cores), then evaluates one trial at a time as the race asks. Whatever the
/// evaluation does (a native crash, running out of memory, never returning) ends or stalls this process only; the race
/// fails that trial and starts another worker in its place.
/// </summary>
public static class EstimatorWorker
{
    /// <summary>Serves requests until the race says exit or closes the pipe; returns the process's exit code.</summary>
    /// <param name="create">Makes the estimator from the race's setup (the host's code: it knows the command line's options).</param>
    public static int Serve(Stream pipe, Func<JObject, IEstimator> create)
    {
        using var reader = new StreamReader(pipe, leaveOpen: true);
        using var writer = new StreamWriter(pipe, leaveOpen: true) { NewLine = "\n" };
        if (WorkerWire.Read(reader) is not { } setup)
            return 0;
        IEstimator estimator;
        try
        {
            estimator = create(setup);
        }
        catch (Exception e)
        {
            WorkerWire.Write(
                writer,
                WorkerWire.Error(e is NasException ? e.Message : $"{e.GetType().Name}: {e.Message}")
            );
            return 1;
        }
        try
        {
            WorkerWire.Write(
                writer,
                new JObject
                {
                    ["ok"] = true,
                    ["estimator"] = estimator.Name,
                    ["pid"] = Environment.ProcessId,
                }
            );
            while (WorkerWire.Read(reader) is { } request)
            {
                if ((string?)request["op"] == "exit")
                    return 0;
                JObject reply;
                try
                {
                    var (architecture, evaluation) = EvaluationWire.ParseRequest(request);
                    var result = estimator
                        .EvaluateAsync(architecture, evaluation, CancellationToken.None)
                        .GetAwaiter()
                        .GetResult();
                    reply = EvaluationWire.Result(result);
                }
                catch (OutOfMemoryException e)
                {
                    // What the evaluation allocated may still be held: the process goes, and the memory with it.
                    WorkerWire.Write(writer, WorkerWire.Error($"OutOfMemoryException: {e.Message}", "fatal"));
                    return 3;
                }
                catch (Exception e)
                {
                    reply = WorkerWire.Error($"{e.GetType().Name}: {e.Message}");
                }
                WorkerWire.Write(writer, reply);
            }
            return 0;
        }
        finally
        {
            (estimator as IDisposable)?.Dispose();
        }
    }
}
