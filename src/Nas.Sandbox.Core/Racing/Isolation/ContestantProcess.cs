using System.Diagnostics;
using System.IO.Pipes;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>How to start a contestant process: the program and the arguments before the pipe's name (e.g. <c>dotnet nas.dll contestant-process</c>).</summary>
public sealed record ContestantProcessStart(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>A managed heap limit for each contestant process, in bytes (null: the runtime's default).</summary>
    public long? HeapLimitBytes { get; init; }
}

/// <summary>
/// The referee's side of one contestant process: starts it, sends requests and waits for replies with a time limit,
/// and tells a crash (the process died on its own: exit code, signal, its last lines of output) from a stop (killed
/// because a call overran). Used from one thread at a time.
/// </summary>
internal sealed class ContestantProcess : IDisposable
{
    private readonly Process _process;
    private readonly NamedPipeServerStream _pipe;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;
    private readonly OutputTail _output = new(40);
    private bool _killed;

    private ContestantProcess(Process process, NamedPipeServerStream pipe)
    {
        (_process, _pipe) = (process, pipe);
        _reader = new StreamReader(pipe, leaveOpen: true);
        _writer = new StreamWriter(pipe, leaveOpen: true) { NewLine = "\n" };
    }

    public int Id => _process.Id;

    /// <summary>What the process answered to its setup (e.g. a worker names its estimator there).</summary>
    public JObject SetupReply { get; private set; } = [];

    /// <summary>Alive and not stopped: it can take the next request.</summary>
    public bool Usable => !_killed && !_process.HasExited;

    /// <summary>It died on its own (not stopped by the referee).</summary>
    public bool Crashed => !_killed && _process.HasExited;

    /// <summary>Starts the process and hands it <paramref name="setup"/>; the reply must come within <paramref name="timeout"/>.</summary>
    public static ContestantProcess Start(ContestantProcessStart start, JObject setup, TimeSpan timeout)
    {
        string pipeName = $"nas-contestant-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var pipe = new NamedPipeServerStream(
            pipeName,
            PipeDirection.InOut,
            1,
            PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous
        );
        var info = new ProcessStartInfo(start.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in start.Arguments)
            info.ArgumentList.Add(argument);
        foreach (
            string argument in new[]
            {
                "--pipe",
                pipeName,
                "--parent",
                Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }
        )
            info.ArgumentList.Add(argument);
        if (start.HeapLimitBytes is { } limit)
            info.Environment["DOTNET_GCHeapHardLimit"] = limit.ToString(
                "X",
                System.Globalization.CultureInfo.InvariantCulture
            );
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            pipe.Dispose();
            throw new ContestantProcessException(
                $"could not start a child process ({start.FileName}): {e.Message}",
                crashed: false
            );
        }
        var contestant = new ContestantProcess(process, pipe);
        process.OutputDataReceived += (_, line) => contestant._output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => contestant._output.Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var connected = pipe.WaitForConnectionAsync();
            if (
                Task.WaitAny([connected, process.WaitForExitAsync()], timeout) < 0
                || !connected.IsCompletedSuccessfully
            )
                throw contestant.Failure("start", timeout);
            contestant.SetupReply = contestant.Call(setup, timeout);
            return contestant;
        }
        catch
        {
            contestant.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request and returns its reply; throws <see cref="ContestantProcessException"/> when the process dies or overruns.</summary>
    /// <remarks>
    /// The reply is read on the calling thread, with a timer that stops the process when the time is up (which ends
    /// the read): no thread hop per call, which matters in a tabular race that makes thousands of calls a second.
    /// </remarks>
    public JObject Call(JObject request, TimeSpan timeout)
    {
        string op = (string?)request["op"] ?? "call";
        if (!Usable)
            throw Failure(op, timeout);
        string? line;
        bool overran = false;
        using (
            new Timer(
                _ =>
                {
                    overran = true;
                    Kill();
                },
                null,
                timeout,
                Timeout.InfiniteTimeSpan
            )
        )
        {
            try
            {
                WorkerWire.Write(_writer, request);
                line = _reader.ReadLine();
            }
            catch (IOException)
            {
                line = null;
            }
        }
        if (overran)
            throw new ContestantProcessException(
                $"did not return within {timeout.TotalSeconds:0.###} s; its process was stopped",
                crashed: false,
                timedOut: true
            );
        if (line is null)
            throw Failure(op, timeout);
        var message = JObject.Parse(line);
        if ((string?)message["kind"] == "fatal")
        {
            _process.WaitForExit(2000);
            throw new ContestantProcessException($"{(string?)message["error"]}; its process ended", crashed: true);
        }
        return message;
    }

    /// <summary>Why the process stopped answering: it exited (with its code or signal and last output) or could not be reached.</summary>
    private ContestantProcessException Failure(string what, TimeSpan timeout)
    {
        if (_killed)
            return new ContestantProcessException(
                "its process was stopped after an earlier call overran",
                crashed: false
            );
        if (!_process.WaitForExit(2000))
        {
            if (what == "start")
            {
                Kill();
                return new ContestantProcessException(
                    $"its process did not start within {timeout.TotalSeconds:0.###} s{_output.Describe()}",
                    crashed: false
                );
            }
            Kill();
            return new ContestantProcessException(
                $"its process stopped answering during {what}{_output.Describe()}",
                crashed: true
            );
        }
        _process.WaitForExit(); // the output readers finish
        return new ContestantProcessException(
            $"its process died during {what}: {ExitDescription(_process.ExitCode)}{_output.Describe()}",
            crashed: true
        );
    }

    /// <summary>Exit code, and the signal it means on Unix (128 + signal, as .NET reports a process killed by a signal).</summary>
    internal static string ExitDescription(int code) =>
        code switch
        {
            134 => "exit code 134 (SIGABRT: aborted, e.g. a stack overflow or a fail-fast)",
            139 => "exit code 139 (SIGSEGV: a crash in native code)",
            137 => "exit code 137 (SIGKILL: killed, e.g. by the kernel's out-of-memory killer)",
            135 => "exit code 135 (SIGBUS)",
            136 => "exit code 136 (SIGFPE)",
            _ => $"exit code {code}",
        };

    public void Kill()
    {
        _killed = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { } // already gone
    }

    /// <summary>Asks the process to exit (it is idle) and makes sure it does.</summary>
    public void Dispose()
    {
        if (Usable)
        {
            try
            {
                WorkerWire.Write(_writer, new JObject { ["op"] = "exit" });
            }
            catch (IOException) { }
            if (!_process.WaitForExit(1000))
                Kill();
        }
        else if (!_process.HasExited)
            Kill();
        _reader.Dispose();
        _writer.Dispose();
        _pipe.Dispose();
        _process.Dispose();
    }

    /// <summary>The last lines the process printed (stdout and stderr), for the message when it dies.</summary>
    private sealed class OutputTail(int lines)
    {
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
                return;
            lock (_lines)
            {
                _lines.Enqueue(line.Length > 300 ? line[..300] + "..." : line);
                while (_lines.Count > lines)
                    _lines.Dequeue();
            }
        }

        /// <summary>The last few lines that are not stack frames: "Stack overflow.", "Unhandled exception. ...", the strategy's own.</summary>
        public string Describe()
        {
            lock (_lines)
            {
                var shown = _lines
                    .Select(l => l.Trim())
                    .Where(l =>
                        l.Length > 0
                        && !l.StartsWith("at ", StringComparison.Ordinal)
                        && !l.StartsWith("Repeat", StringComparison.Ordinal)
                        && !l.StartsWith("---", StringComparison.Ordinal)
                    )
                    .TakeLast(3)
                    .ToArray();
                return shown.Length == 0 ? "" : $"; its last output: {string.Join(" | ", shown)}";
            }
        }
    }
}

/// <summary>A contestant process failed: <see cref="Crashed"/> when it died on its own, <see cref="TimedOut"/> when a call overran.</summary>
public sealed class ContestantProcessException(string message, bool crashed, bool timedOut = false) : Exception(message)
{
    public bool Crashed { get; } = crashed;
    public bool TimedOut { get; } = timedOut;
}
