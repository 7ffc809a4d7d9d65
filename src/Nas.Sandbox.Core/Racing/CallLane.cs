namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// A contestant's own thread, on which its code (constructor, Ask, Tell, replay) runs with a time limit. Exceptions
/// and overruns become a failure message. One long-lived thread per contestant and heat makes a guarded call cost a
/// handoff of a few microseconds (a tabular race makes hundreds of thousands of them), where a new thread per call
/// cost far more.
/// <para>An overrun call cannot be stopped in-process: the lane is abandoned with its thread still inside the call,
/// and the contestant gets a new lane and an instance rebuilt by replay. Process isolation is the cure for code that
/// never returns and keeps a core busy.</para>
/// </summary>
internal sealed class CallLane : IDisposable
{
    private readonly SemaphoreSlim _work = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private Func<object?>? _call;
    private object? _result;
    private Exception? _error;
    private volatile bool _closed;

    public CallLane(string name)
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = $"contestant {name}" };
        thread.Start();
    }

    /// <summary>True once a call overran: the lane's thread may still be inside it, so the lane takes no more calls.</summary>
    public bool Abandoned { get; private set; }

    public (T? Value, string? Failure) Run<T>(Func<T> call, TimeSpan timeout, out bool timedOut)
    {
        if (Abandoned || _closed) throw new InvalidOperationException("This lane no longer takes calls.");
        timedOut = false;
        (_call, _result, _error) = (() => call(), null, null);
        _done.Reset();
        _work.Release();
        if (!_done.Wait(timeout))
        {
            timedOut = true;
            Abandoned = true;
            return (default, $"did not return within {timeout.TotalSeconds:0.###} s");
        }
        return _error is null ? ((T?)_result, null) : (default, $"{_error.GetType().Name}: {_error.Message}");
    }

    private void Loop()
    {
        while (true)
        {
            _work.Wait();
            if (_closed) return;
            try { _result = _call!(); }
            catch (Exception e) { _error = e; }
            _done.Set();
        }
    }

    /// <summary>Ends the lane's thread once it is idle (an abandoned lane's thread ends when its call returns, if ever).</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        _work.Release();
    }
}
