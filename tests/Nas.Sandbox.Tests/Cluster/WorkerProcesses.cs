using System.Collections.Concurrent;
using System.Diagnostics;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>Real <c>nas worker</c> processes on a test's cluster, each with its output kept; all killed when disposed.</summary>
internal sealed class WorkerProcesses(string cluster, string home) : IDisposable
{
    private readonly ConcurrentDictionary<string, (Process Process, StringWriter Output)> _workers = new();

    /// <summary>Starts a worker with one slot of one thread and waits until it has joined the cluster.</summary>
    public void Start(string name, params string[] extra)
    {
        // The worker's own temporary files (its empty home) go below the test's home, deleted with it: a killed
        // worker cannot clean up after itself.
        string temp = Directory.CreateDirectory(Path.Combine(home, "tmp")).FullName;
        var process = NasProcess.Start(
            home,
            new Dictionary<string, string> { ["TMPDIR"] = temp },
            ["worker", "--cluster", cluster, "--name", name, "--slots", "1", "--worker-threads", "1", .. extra]
        );
        var output = new StringWriter();
        var joined = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
                output.WriteLine(e.Data);
            if (e.Data?.Contains(" joined ", StringComparison.Ordinal) == true)
                joined.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
                output.WriteLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _workers[name] = (process, output);
        if (!joined.Task.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"worker {name} did not join {cluster} in 60 s: {Output(name)}");
    }

    public string Output(string name)
    {
        var output = _workers[name].Output;
        lock (output)
            return output.ToString();
    }

    /// <summary>kill -9 of the worker (its slots' processes notice their parent is gone and leave on their own).</summary>
    public void Kill(string name)
    {
        var process = _workers[name].Process;
        process.Kill();
        process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        foreach (var (process, _) in _workers.Values)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException) { }
            process.Dispose();
        }
    }
}
