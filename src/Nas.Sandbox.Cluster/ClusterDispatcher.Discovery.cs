using Nas.Sandbox.Core;
using Orleans.Runtime;

namespace Nas.Sandbox.Cluster;

// Discovery: the workers membership lists as active, each checked (this build) and readied with the race's setup
// before it is given trials; one that joins mid-race is readied the same way.
public sealed partial class ClusterDispatcher
{
    /// <summary>
    /// The first look at the cluster, retried for a few seconds: a worker that died just before the race started is
    /// still listed as active until the others notice, and calls routed through it fail meanwhile.
    /// </summary>
    private async Task FirstDiscoveryAsync(CancellationToken cancellation)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                var listed = await DiscoverAsync(initial: true).ConfigureAwait(false);
                bool settled;
                lock (_gate)
                    settled = listed.All(name => _workers.ContainsKey(name) || _refused.ContainsKey(name));
                // Every worker listed has joined or refused (or none is listed): nothing more to wait for.
                if (settled || DateTime.UtcNow > until)
                    return;
            }
            catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow <= until)
            {
                Notice($"cluster: {FirstLine(e)}; trying again", warning: true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new NasException($"--cluster {Address}: the cluster does not answer ({FirstLine(e)}).");
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Finds silos that membership lists as active and the race does not know yet, and readies each (in the
    /// background after the start, so a slow or dying newcomer never holds up the pings of the others).
    /// </summary>
    /// <returns>The names of the active silos membership lists.</returns>
    private async Task<string[]> DiscoverAsync(bool initial)
    {
        var management = _client.GetGrain<IManagementGrain>(0);
        var hosts = await management
            .GetDetailedHosts(onlyActive: true)
            .WaitAsync(TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        var listed = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloName).ToArray();
        var joins = new List<Task>();
        lock (_gate)
            foreach (string name in listed)
                if (!_workers.ContainsKey(name) && !_refused.ContainsKey(name) && _joining.Add(name))
                    joins.Add(JoinAsync(name, initial));
        if (initial)
            await Task.WhenAll(joins).ConfigureAwait(false);
        return listed;
    }

    private async Task JoinAsync(string name, bool initial)
    {
        try
        {
            var grain = _client.GetGrain<IEvaluationWorker>(name);
            WorkerCard card;
            try
            {
                card = await grain.Describe().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Gone, or not yet able to answer: the next round asks again.
                if (initial)
                    Notice($"cluster worker {name} does not answer ({FirstLine(e)}); skipped for now", warning: true);
                return;
            }
            string? refusal =
                card.Build != BuildIdentity.Build || card.Api != BuildIdentity.Api
                    ? $"it is build {card.Build} (contracts {card.Api}), this race is build {BuildIdentity.Build} (contracts {BuildIdentity.Api}); run the same build on both"
                : card.Leaving ? "it is leaving"
                : null;
            var worker = new Worker(card, grain);
            if (refusal is null)
            {
                var (ready, lost) = await PrepareWatchedAsync(worker).ConfigureAwait(false);
                if (lost)
                {
                    Notice($"cluster worker {name} was lost while being readied ({ready})", warning: true);
                    return;
                }
                refusal = ready;
            }
            lock (_gate)
            {
                if (refusal is not null)
                    _refused[name] = refusal;
                else
                {
                    _workers[name] = worker;
                    Signal();
                }
            }
            if (refusal is null)
                Notice(
                    $"cluster worker {name} ({card.Machine}, {card.Slots} slot(s) of {card.ThreadsPerSlot} thread(s), {card.Device}) joined"
                );
            else
                Notice($"cluster worker {name} is not used: {refusal}", warning: true);
        }
        finally
        {
            lock (_gate)
                _joining.Remove(name);
        }
    }

    /// <summary>Sends the setup again to a worker that lost it (it restarted under the same name).</summary>
    private async Task<string?> PrepareAsync(Worker worker) =>
        (await PrepareWatchedAsync(worker).ConfigureAwait(false)).Refusal;

    /// <summary>
    /// Readies a worker for the race's setup (starting its slots' processes takes seconds), pinging it meanwhile: a
    /// worker that dies while being readied is given up on within seconds, not after the call's timeout.
    /// </summary>
    private async Task<(string? Refusal, bool Lost)> PrepareWatchedAsync(Worker worker)
    {
        var prepare = worker.Grain.Prepare(_setupJson);
        int missed = 0;
        while (true)
        {
            var first = await Task.WhenAny(prepare, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            if (first == prepare)
            {
                try
                {
                    return (await prepare.ConfigureAwait(false), false);
                }
                catch (Exception e)
                {
                    return ($"it could not be readied ({FirstLine(e)})", true);
                }
            }
            if (await PingAnswerAsync(worker).ConfigureAwait(false) is not null)
                missed = 0;
            else if (++missed >= 2)
            {
                _ = prepare.ContinueWith(t => t.Exception, TaskScheduler.Default);
                return ("it missed two pings", true);
            }
        }
    }

    /// <summary>The worker's answer to a ping (<see cref="WorkerSlots.Ready"/> or <see cref="WorkerSlots.Leaving"/>); null when none came in 2 s.</summary>
    private static async Task<string?> PingAnswerAsync(Worker worker)
    {
        try
        {
            return await worker.Grain.Ping().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return null;
        }
    }
}
