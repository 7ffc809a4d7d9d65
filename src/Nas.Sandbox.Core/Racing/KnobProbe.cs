using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Checks a contestant's knob values before the race by creating one instance. A knob value is parsed when the factory
/// creates the strategy, so a bad one (population=abc) would otherwise only show as the contestant failing in every
/// heat. The constructor is user code: it runs on a pool thread under the race's call timeout, and one that overruns is
/// an error naming the contestant and the timeout (in every heat the referee would abandon it the same way). The
/// abandoned call cannot be stopped; it is observed to its end, its exception (if any) read and its instance (if any)
/// disposed, so nothing is left faulting unobserved.
/// </summary>
public static class KnobProbe
{
    /// <summary>
    /// Creates and disposes one instance of <paramref name="factory"/> with <paramref name="knobs"/>. Throws
    /// <see cref="NasException"/> naming <paramref name="label"/> when the knobs are refused (a <see cref="KnobException"/>)
    /// or when creating takes longer than <paramref name="timeout"/>. Any other failure of the constructor is the
    /// referee's to report in the race (journaled per heat), so it is not an error here.
    /// </summary>
    public static void Check(IStrategyFactory factory, KnobValues knobs, string label, TimeSpan timeout)
    {
        var create = Task.Run(() =>
        {
            var strategy = factory.Create(knobs);
            (strategy as IDisposable)?.Dispose();
        });
        bool finished;
        try
        {
            finished = create.Wait(timeout);
        }
        catch (AggregateException e) when (e.InnerException is KnobException knob)
        {
            throw new NasException($"--strategy '{label}': {knob.Message}", knob);
        }
        catch (AggregateException)
        {
            return;
        }
        if (finished)
            return;
        // Observe the abandoned call: reading Exception marks a fault observed (no UnobservedTaskException later).
        create.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        );
        throw new NasException(
            $"--strategy '{label}': creating it to check its knob values took longer than the call timeout of "
                + $"{timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; its constructor must return within --call-timeout."
        );
    }
}
