using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Isolation;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// The race's worker processes (<c>--workers N</c> with an estimator that spends real time): N child processes, each
/// with the race's estimator made from the same sources (built-in, plugin, script or pack) and its own share of the
/// cores, evaluating one trial at a time. To the referee it is one estimator that can evaluate N trials at once: a call
/// waits for an idle worker, hands it the trial over a local pipe, and returns its result.
/// <para>Why processes: libtorch keeps one intra-op thread pool per process, so trials trained side by side in one
/// process fight over it; a process each gets its own pool of <c>--worker-threads</c> threads, and a native crash, an
/// out-of-memory kill or a hang costs that worker's trial only.</para>
/// <para>Faults: a worker that dies during a trial (exit, signal, the kernel's OOM killer) or overruns
/// <see cref="TrialTimeout"/> (it is killed) fails that trial, and only that one: the trial is journaled once, as failed,
/// with the reason, and is charged the worker-seconds it ran (they were spent); it is not retried, because what
/// crashes a worker is most often the architecture itself (too large for memory), which would crash the next one too.
/// A new worker process takes the slot before it evaluates again.</para>
/// </summary>
public sealed class WorkerPool : IEstimator, IEvaluationSlots, IDisposable
{
    private readonly Channel<Slot> _idle = Channel.CreateUnbounded<Slot>();
    private readonly Slot[] _slots;
    private readonly ContestantProcessStart _start;
    private readonly Func<int, JObject> _setup;
    private volatile bool _disposed;

    private WorkerPool(ContestantProcessStart start, Func<int, JObject> setup, int count, TimeSpan trialTimeout)
    {
        (_start, _setup, TrialTimeout) = (start, setup, trialTimeout);
        _slots = Enumerable.Range(0, count).Select(i => new Slot(this, i)).ToArray();
    }

    /// <summary>The estimator's name, as the workers made it.</summary>
    public string Name { get; private set; } = "";

    public int Count => _slots.Length;

    public int Slots => _slots.Length;

    /// <summary>How long one trial may take on a worker before the worker is stopped and replaced.</summary>
    public TimeSpan TrialTimeout { get; }

    /// <summary>How long a worker may take to start and make its estimator (loading plugins, scripts and the dataset).</summary>
    public static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Starts <paramref name="count"/> workers side by side and waits until each has made its estimator. A worker that
    /// cannot (an unknown estimator, a script that does not compile, no dataset) fails the whole start with its reason:
    /// the race does not start.
    /// </summary>
    /// <param name="setup">What worker i is sent: the race's sources, estimator and its settings, its device and threads.</param>
    public static WorkerPool Start(
        ContestantProcessStart start,
        Func<int, JObject> setup,
        int count,
        TimeSpan trialTimeout
    )
    {
        var pool = new WorkerPool(start, setup, count, trialTimeout);
        var starts = pool._slots.Select(slot => Task.Run(slot.Launch)).ToArray();
        try
        {
            Task.WaitAll(starts);
        }
        catch (AggregateException)
        {
            pool.Dispose();
            var failure = starts.First(t => t.IsFaulted).Exception!.InnerException!;
            throw new NasException(failure.Message);
        }
        var names = pool._slots.Select(s => s.EstimatorName).Distinct().ToArray();
        pool.Name = names[0];
        foreach (var slot in pool._slots)
            pool._idle.Writer.TryWrite(slot);
        return pool;
    }

    /// <summary>Evaluates on the next idle worker (waiting for one), on a thread of its own while the worker trains.</summary>
    public async Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        var slot = await _idle.Reader.ReadAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => slot.Evaluate(architecture, request), CancellationToken.None)
                .ConfigureAwait(false);
        }
        finally
        {
            _idle.Writer.TryWrite(slot);
        }
    }

    public void Dispose()
    {
        lock (_slots)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _idle.Writer.TryComplete();
        foreach (var slot in _slots)
            slot.Stop();
    }

    /// <summary>One worker's place in the pool: its current process (replaced after a crash) and what it evaluates.</summary>
    private sealed class Slot(WorkerPool pool, int index)
    {
        private readonly object _gate = new();
        private ContestantProcess? _process;

        public int Index { get; } = index;
        public int? ProcessId { get; private set; }
        public string EstimatorName { get; private set; } = "";

        private string Name => $"worker {Index + 1}";

        /// <summary>Starts this slot's process; throws with the reason when it cannot make the estimator.</summary>
        public void Launch()
        {
            var process = ContestantProcess.Start(pool._start, pool._setup(Index), StartTimeout);
            if ((string?)process.SetupReply["error"] is { } error)
            {
                process.Dispose();
                throw new NasException($"{Name} could not make the estimator: {error}");
            }
            lock (_gate)
            {
                if (pool._disposed)
                {
                    process.Dispose();
                    return;
                }
                (_process, ProcessId) = (process, process.Id);
            }
            EstimatorName = (string?)process.SetupReply["estimator"] ?? "";
        }

        public EvaluationResult Evaluate(Architecture architecture, EvaluationRequest request)
        {
            if (_process is null && Relaunch() is { } down)
                return Failed(request, $"{Name} is down: {down}", 0);
            // A local: the race's end (Dispose, on another thread) may retire the process while it evaluates.
            var process = _process;
            if (process is null)
                return Failed(request, "the race ended before the trial started", 0);
            var watch = Stopwatch.StartNew();
            try
            {
                var reply = process.Call(EvaluationWire.Request(architecture, request), pool.TrialTimeout);
                if ((string?)reply["error"] is { } error)
                    return Failed(request, error, watch.Elapsed.TotalSeconds);
                return EvaluationWire.ParseResult(reply);
            }
            catch (ContestantProcessException e)
            {
                double spent = watch.Elapsed.TotalSeconds;
                int? pid = ProcessId;
                string why = e.TimedOut
                    ? $"{Name} (pid {pid}) did not finish the trial within {pool.TrialTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (--worker-timeout) and was stopped"
                    : $"{Name} (pid {pid}): {e.Message}";
                Retire();
                string? notStarted = Relaunch();
                return Failed(
                    request,
                    notStarted is null
                        ? $"{why}; a new worker took its place (pid {ProcessId})"
                        : $"{why}; a new worker could not start: {notStarted}",
                    spent
                );
            }
            catch (Exception e) when (pool._disposed && e is ObjectDisposedException or IOException)
            {
                return Failed(request, "the race ended before the trial did", watch.Elapsed.TotalSeconds);
            }
        }

        /// <summary>Starts a new process in this slot; null when it runs, else why not (the next trial tries again).</summary>
        private string? Relaunch()
        {
            if (pool._disposed)
                return "the race is ending";
            try
            {
                Launch();
                return null;
            }
            catch (Exception e) when (e is NasException or ContestantProcessException)
            {
                return e.Message;
            }
        }

        private void Retire()
        {
            lock (_gate)
            {
                _process?.Dispose();
                (_process, ProcessId) = (null, null);
            }
        }

        public void Stop() => Retire();

        private static EvaluationResult Failed(EvaluationRequest request, string message, double seconds) =>
            new()
            {
                Status = TrialStatus.Failed,
                Metrics = new Metrics(),
                CostSeconds = seconds,
                Fidelity = request.Fidelity,
                Message = message,
            };
    }
}
