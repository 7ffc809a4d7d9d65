using System.Collections.Concurrent;
using System.Diagnostics;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The thread a race runs on, and how contestants' code runs on it: inline, with a watchdog.
/// <para>All of the referee's code runs here, one step at a time (a single-threaded synchronization context, so
/// every continuation comes back to this thread and the race is deterministic). A contestant's constructor, Ask, Tell
/// or replay is queued as a work item and run inline by this thread, which costs next to nothing: a tabular race
/// makes hundreds of thousands of such calls a second. A watchdog checks the call in progress; when one overruns its
/// time limit, the watchdog completes it as timed out and starts a fresh thread on the same queue, so the race goes
/// on while the old thread stays stuck inside the contestant's code. That old thread leaves as soon as the call
/// returns, if it ever does. Process isolation is the cure for code that never returns and keeps a core busy.</para>
/// <para>Abandoned calls are remembered until they return: the referee waits for them (bounded,
/// <see cref="AbandonedCallsReturnedAsync"/>) before it frees what they may use and before the race ends, since a
/// thread still inside libtorch when the process exits crashes it (its static destructors run under that thread).</para>
/// </summary>
internal sealed class RefereeThread : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Timer _watchdog;
    private readonly object _gate = new();
    private int _generation;
    private GuardedCall? _inProgress;
    private readonly List<Task> _abandoned = [];
    private readonly string _name;
    private TimeSpan _period = Timeout.InfiniteTimeSpan;

    private RefereeThread(string name)
    {
        _name = name;
        _watchdog = new Timer(_ => CheckOverrun(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Runs <paramref name="body"/> on a new referee thread; the task completes when the body does.</summary>
    public static Task<T> Run<T>(string name, Func<RefereeThread, Task<T>> body)
    {
        var thread = new RefereeThread(name);
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        thread.Post(
            async _ =>
            {
                try
                {
                    completion.TrySetResult(await body(thread));
                }
                catch (OperationCanceledException e)
                {
                    completion.TrySetCanceled(e.CancellationToken);
                }
                catch (Exception e)
                {
                    completion.TrySetException(e);
                }
                finally
                {
                    thread.Dispose();
                }
            },
            null
        );
        thread.StartPump();
        return completion.Task;
    }

    public override void Post(SendOrPostCallback callback, object? state)
    {
        try
        {
            _queue.Add((callback, state));
        }
        catch (InvalidOperationException) { } // the race is over; a straggler has nowhere to go
    }

    public override void Send(SendOrPostCallback callback, object? state) =>
        throw new NotSupportedException("The referee thread only takes posts.");

    /// <summary>
    /// Runs a contestant's code on this thread with a time limit. The caller awaits the outcome; the call itself runs
    /// as the next work item, after the caller's continuation is registered, so a watchdog can complete the outcome
    /// and continue the race elsewhere if the call never returns.
    /// </summary>
    public Task<CallOutcome<T>> Call<T>(Func<T> call, TimeSpan timeout)
    {
        var outcome = new TaskCompletionSource<CallOutcome<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(_ => Execute(call, timeout, outcome), null);
        return outcome.Task;
    }

    private void Execute<T>(Func<T> call, TimeSpan timeout, TaskCompletionSource<CallOutcome<T>> outcome)
    {
        var guarded = new GuardedCall(
            Stopwatch.GetTimestamp(),
            timeout,
            () =>
                outcome.TrySetResult(
                    new CallOutcome<T>(default, $"did not return within {timeout.TotalSeconds:0.###} s", TimedOut: true)
                ),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        );
        lock (_gate)
            _inProgress = guarded;
        ArmWatchdog(timeout);
        // Contestants' code must not see this context: sync-over-async inside Ask would deadlock the race.
        SetSynchronizationContext(null);
        // What the call allocated on this thread (it runs inline, so that is the contestant's own allocation): the
        // referee's memory guard looks closer at calls that allocated a lot (MemoryGuard). A few nanoseconds.
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        CallOutcome<T> result;
        try
        {
            result = new CallOutcome<T>(call(), null, false);
        }
        // Out of managed memory (the heap's hard limit): no message is built here, the heap may still be full; the
        // referee drops the instance and collects before it writes anything.
        catch (OutOfMemoryException)
        {
            result = new CallOutcome<T>(default, OutOfMemoryFailure, false) { OutOfMemory = true };
        }
        catch (Exception e)
        {
            result = new CallOutcome<T>(default, Describe(e), false);
        }
        finally
        {
            SetSynchronizationContext(this);
        }
        result = result with { Allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore };
        lock (_gate)
        {
            if (!ReferenceEquals(_inProgress, guarded))
            {
                // Overran: the watchdog answered and another thread took over. The abandoned call has now returned.
                AbandonedCalls.Returned();
                guarded.Returned.TrySetResult();
                return;
            }
            _inProgress = null;
        }
        outcome.TrySetResult(result);
    }

    /// <summary>
    /// What a contestant's call threw, as the journal says it: the exception's type and message; for a contestant in
    /// its own process, the message alone (it already names the type thrown there, or says how the process died).
    /// </summary>
    private static string Describe(Exception e) =>
        e is Isolation.ContestantProcessException or Isolation.ContestantCodeException
            ? e.Message
            : $"{e.GetType().Name}: {e.Message}";

    private void ArmWatchdog(TimeSpan timeout)
    {
        // Checked at a tenth of the limit (at least every second): a call is declared overrun within 10 % of its limit.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 1, 1000));
        if (period == _period)
            return;
        _period = period;
        _watchdog.Change(period, period);
    }

    private void CheckOverrun()
    {
        GuardedCall? overrun;
        lock (_gate)
        {
            overrun = _inProgress;
            if (overrun is null || Stopwatch.GetElapsedTime(overrun.Started) < overrun.Timeout)
                return;
            _inProgress = null;
            _generation++;
            _abandoned.Add(overrun.Returned.Task);
            AbandonedCalls.Started();
        }
        StartPump(); // the race goes on on a fresh thread...
        overrun.AnswerTimedOut(); // ...which runs the caller's continuation next
    }

    /// <summary>
    /// Waits until every call the watchdog abandoned has returned, for at most <paramref name="bound"/>; true when none
    /// is still running. Called by the referee before it disposes what such a call may use (a heat's training data, an
    /// instance) and before the race ends.
    /// </summary>
    public async Task<bool> AbandonedCallsReturnedAsync(TimeSpan bound)
    {
        Task[] running;
        lock (_gate)
        {
            _abandoned.RemoveAll(t => t.IsCompleted);
            running = _abandoned.ToArray();
        }
        if (running.Length == 0)
            return true;
        var all = Task.WhenAll(running);
        await Task.WhenAny(all, Task.Delay(bound));
        return all.IsCompleted;
    }

    private void StartPump()
    {
        int generation;
        lock (_gate)
            generation = _generation;
        var thread = new Thread(() => Pump(generation)) { IsBackground = true, Name = _name };
        thread.Start();
    }

    private void Pump(int generation)
    {
        SetSynchronizationContext(this);
        try
        {
            foreach (var (callback, state) in _queue.GetConsumingEnumerable())
            {
                callback(state);
                lock (_gate)
                    if (generation != _generation)
                        return; // abandoned while inside a contestant's call
            }
        }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        _queue.CompleteAdding();
    }

    private const string OutOfMemoryFailure = "OutOfMemoryException: the managed heap reached its limit";

    /// <param name="Returned">Completed when an abandoned call's contestant code returns (or throws) at last.</param>
    private sealed record GuardedCall(
        long Started,
        TimeSpan Timeout,
        Action AnswerTimedOut,
        TaskCompletionSource Returned
    );
}

/// <summary>What a guarded call gave: its value, or why it failed (an exception, or an overrun).</summary>
internal readonly record struct CallOutcome<T>(T? Value, string? Failure, bool TimedOut)
{
    /// <summary>Bytes the call allocated on the referee thread (0 for a call that overran: it is still running).</summary>
    public long Allocated { get; init; }

    /// <summary>The call threw <see cref="OutOfMemoryException"/>: the managed heap reached its limit during it.</summary>
    public bool OutOfMemory { get; init; }
}
