namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Runs a contestant's code (constructor, Ask, Tell) with a time limit, turning exceptions and overruns into a
/// failure message. An overrun call cannot be stopped in-process: it is abandoned on its thread, and the caller must
/// stop using that instance (the referee rebuilds it by replay). Process isolation is the cure for code that never
/// returns and keeps a core busy.
/// </summary>
internal static class GuardedCall
{
    public static (T? Value, string? Failure) Run<T>(Func<T> call, TimeSpan timeout, out bool timedOut)
    {
        timedOut = false;
        var task = Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            if (!task.Wait(timeout))
            {
                timedOut = true;
                return (default, $"did not return within {timeout.TotalSeconds:0.###} s");
            }
            return (task.Result, null);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            return (default, $"{e.InnerException.GetType().Name}: {e.InnerException.Message}");
        }
    }
}
