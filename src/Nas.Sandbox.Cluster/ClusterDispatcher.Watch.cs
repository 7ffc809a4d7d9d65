namespace Nas.Sandbox.Cluster;

// The watch: every worker pinged each second; missed pings, a failed call or a reply that will never come mark it
// lost (its trials go to other slots), a clean leave lets it finish what it has.
public sealed partial class ClusterDispatcher
{
    private void MarkLost(Worker worker, string why)
    {
        lock (_gate)
        {
            if (worker.Gone)
                return;
            worker.Gone = true;
            worker.Lost.TrySetResult();
            Signal();
        }
        Notice(
            $"cluster worker {worker.Card.Name} ({worker.Card.Machine}) was lost ({why}); its trials go to other slots",
            warning: true
        );
    }

    private void MarkLeaving(Worker worker)
    {
        lock (_gate)
        {
            if (worker.Gone || worker.Leaving)
                return;
            worker.Leaving = true; // still pinged: a leaver that dies with a trial of ours is lost like any other
            Signal();
        }
        Notice($"cluster worker {worker.Card.Name} is leaving; its running trials finish there");
    }

    /// <summary>
    /// Every second: new workers are readied, known ones pinged. Discovery reads the membership store; when it is away
    /// (Redis down), the race says so once, goes on with the workers it knows (pinging them, so a death is still
    /// noticed), and says so again when it is back.
    /// </summary>
    private async Task WatchAsync()
    {
        string? storeTrouble = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                try
                {
                    await DiscoverAsync(initial: false).ConfigureAwait(false);
                    if (storeTrouble is not null)
                        Notice($"cluster membership at {Address} answers again; workers may join and leave");
                    storeTrouble = null;
                }
                catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    if (storeTrouble is null)
                        Notice(
                            $"cluster membership at {Address} does not answer ({FirstLine(e)}): the race goes on with the "
                                + "workers it has; joins wait until it is back",
                            warning: true
                        );
                    storeTrouble = FirstLine(e);
                }
                Worker[] known;
                lock (_gate)
                    known = _workers.Values.Where(w => !w.Gone).ToArray();
                await Task.WhenAll(known.Select(PingAsync)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A ping round that failed as a whole (the gateway away for a moment): the next round tries again.
                Notice($"cluster: {FirstLine(e)}", warning: true);
            }
        }
    }

    private async Task PingAsync(Worker worker)
    {
        string? answer = await PingAnswerAsync(worker).ConfigureAwait(false);
        if (answer is not null)
        {
            worker.MissedPings = 0;
            if (answer == WorkerSlots.Leaving)
                MarkLeaving(worker);
            await CheckRepliesAsync(worker).ConfigureAwait(false);
        }
        else if (++worker.MissedPings >= 2)
        {
            bool idleLeaver;
            lock (_gate)
                idleLeaver = worker.Leaving && worker.Free == worker.Card.Slots;
            if (idleLeaver)
                MarkLeft(worker);
            else
                MarkLost(worker, "it missed two pings");
        }
    }

    /// <summary>
    /// Asks a live worker what it knows of the race's calls to it: a call it has finished, or never received, for
    /// <see cref="ReplyGrace"/> while its trial still waits lost its reply or request on the way, and the trial asks
    /// again (<see cref="ReplyWatch"/>). A running call is fine however long it takes.
    /// </summary>
    private static async Task CheckRepliesAsync(Worker worker)
    {
        string[] ids = worker.Calls.Keys.ToArray();
        if (ids.Length == 0)
            return;
        string[] states;
        try
        {
            states = await worker.Grain.CallStates(ids).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // the pings decide whether the worker is lost
        }
        var now = DateTime.UtcNow;
        for (int i = 0; i < Math.Min(ids.Length, states.Length); i++)
            if (worker.Calls.TryGetValue(ids[i], out var reply))
                reply.Seen(states[i] == WorkerSlots.CallRunning, now);
    }

    /// <summary>
    /// Whether a worker whose call failed still answers: one of two pings, a second apart, as the watch judges it (a
    /// ping may take the same failing route once). False once the watch has marked it lost.
    /// </summary>
    private static async Task<bool> StillAnswersAsync(Worker worker)
    {
        for (int ping = 0; ping < 2 && !worker.Gone; ping++)
        {
            if (ping > 0)
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            if (await PingAnswerAsync(worker).ConfigureAwait(false) is not null)
                return !worker.Gone;
        }
        return false;
    }

    /// <summary>A leaving worker with no trial of this race stopped: nothing to hand on, no warning.</summary>
    private void MarkLeft(Worker worker)
    {
        lock (_gate)
        {
            if (worker.Gone)
                return;
            worker.Gone = true;
            Signal();
        }
        Notice($"cluster worker {worker.Card.Name} left");
    }
}
