using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Racing.Workers;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Orleans.Runtime;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// The race's side of a cluster: finds the workers (the silos membership lists as active), checks each is this build
/// and accepts the race's setup, and hands trials to their free slots. The race stays the only writer of its journal
/// and the only place strategies run; a worker only evaluates.
/// <para>Faults. A worker is watched by a ping every second; two missed pings (or a failed call) and it is lost: its
/// trials are given to other slots, each still evaluated, journaled and paid once, by the referee, when it comes back.
/// What is charged is the evaluation that finished; the seconds the lost worker had spent are not (they bought
/// nothing) and the trial's message says where it ran and what was lost. A worker that leaves cleanly finishes its
/// trials and takes no new ones. A worker that joins mid-race is readied and gets trials at once. With no worker at
/// all, a trial waits (<see cref="WaitForWorkers"/>), saying so; after that the race stops, resumable.</para>
/// </summary>
public sealed class ClusterDispatcher : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Worker> _workers = [];
    private readonly Dictionary<string, string> _refused = [];
    private readonly HashSet<string> _joining = [];
    private readonly IHost _clientHost;
    private readonly IClusterClient _client;
    private readonly string _setupJson;

    /// <summary>
    /// How long a table lookup's reply may take before it is taken as lost and asked again (of any worker; a lookup is
    /// free and the same everywhere). A reply travels back through the gateway worker the race is connected to, and
    /// Orleans drops it when that worker leaves, leaving the call to wait for the client's response timeout (the trial
    /// timeout plus a minute). The call-state check (<see cref="CheckRepliesAsync"/>) usually asks again, by call id,
    /// within seconds; this limit is the backstop for lookups, which are free and the same everywhere. A training trial
    /// is not asked again this way (with a new call id): it would be paid twice.
    /// </summary>
    private static readonly TimeSpan LookupReplyLimit = TimeSpan.FromSeconds(20);

    private readonly TimeSpan _replyLimit;
    private readonly string _setupHash;
    private readonly ConcurrentQueue<(string Message, bool Warning)> _notices = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _watch;

    private ClusterDispatcher(ClusterAddress address, IHost clientHost, JObject setup)
    {
        Address = address;
        _clientHost = clientHost;
        _client = clientHost.Services.GetRequiredService<IClusterClient>();
        _setupJson = setup.ToString(Formatting.None);
        _replyLimit = setup["table"] is not null ? LookupReplyLimit : Timeout.InfiniteTimeSpan;
        _setupHash = WorkerSlots.HashOf(_setupJson);
        if (setup["pack"] is JObject pack)
            // The full hash: what a worker's operator gives --packs to accept exactly this code.
            Notice(
                $"cluster: the race's code goes to its workers as pack SHA-256 {(string?)pack["sha256"]} "
                    + "(nas worker --packs with this hash accepts exactly it)"
            );
    }

    public ClusterAddress Address { get; }

    /// <summary>How long a trial waits for a worker when the cluster has none (then the race stops, resumable).</summary>
    public TimeSpan WaitForWorkers { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times a trial is given to another slot after losing its worker before it fails.</summary>
    public int MaxLostWorkers { get; init; } = 3;

    /// <summary>Slots of the live workers that accepted the race's setup.</summary>
    public int LiveSlots
    {
        get
        {
            lock (_gate)
                return _workers.Values.Where(w => w.Usable).Sum(w => w.Card.Slots);
        }
    }

    /// <summary>The workers in use now (name, slots, machine), for the race's header and journal.</summary>
    public IReadOnlyList<WorkerCard> Workers
    {
        get
        {
            lock (_gate)
                return _workers.Values.Where(w => w.Usable).Select(w => w.Card).ToArray();
        }
    }

    /// <summary>
    /// Connects to the cluster and readies its workers for the race's setup. Fails with one clear error when the store
    /// does not answer, when no worker is registered, or when every worker refuses the setup (each one's reason).
    /// </summary>
    public static async Task<ClusterDispatcher> ConnectAsync(
        ClusterAddress address,
        JObject setup,
        TimeSpan trialTimeout,
        CancellationToken cancellation = default
    )
    {
        ClusterHosting.RequireRedis(address);
        var host = ClusterHosting.BuildClient(address, trialTimeout + TimeSpan.FromMinutes(1));
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new NasException(
                $"--cluster {address}: no worker to connect to ({e.Message.Split('\n')[0].Trim()}). "
                    + $"Start one with: nas worker --cluster {address}"
            );
        }
        var dispatcher = new ClusterDispatcher(address, host, setup);
        try
        {
            await dispatcher.FirstDiscoveryAsync(cancellation).ConfigureAwait(false);
            if (dispatcher.LiveSlots == 0)
                throw new NasException(
                    $"--cluster {address}: no worker accepted the race"
                        + (
                            dispatcher._refused.Count > 0
                                ? $": {string.Join("; ", dispatcher._refused.Select(r => $"{r.Key}: {r.Value}"))}"
                                : " (none is registered, or none answered)"
                        )
                        + $". Start one with: nas worker --cluster {address}"
                );
            dispatcher._watch = Task.Run(dispatcher.WatchAsync, CancellationToken.None);
            return dispatcher;
        }
        catch
        {
            dispatcher.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates one trial on a free slot of a live worker (waiting for one), giving it to another if its worker is lost.</summary>
    public async Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        string requestJson = EvaluationWire.Request(architecture, request).ToString(Formatting.None);
        var lost = new List<string>();
        while (true)
        {
            var worker = await AcquireAsync(cancellation).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            bool release = true;
            // One id per attempt: asked again with it, the worker answers with the same evaluation, never a new one.
            string callId = Guid.NewGuid().ToString("N");
            var reply = new ReplyWatch();
            worker.Calls[callId] = reply;
            try
            {
                var call = worker.Grain.Evaluate(_setupHash, callId, requestJson);
                var cancelled = Task.Delay(Timeout.Infinite, cancellation);
                var replyLost = Task.Delay(_replyLimit, cancellation);
                Task first;
                while (true)
                {
                    var lostOnTheWay = reply.Lost;
                    first = await Task.WhenAny(call, worker.Lost.Task, cancelled, replyLost, lostOnTheWay)
                        .ConfigureAwait(false);
                    if (first != lostOnTheWay)
                        break;
                    // The worker finished it (or never received it) seconds ago and no reply came: dropped with a
                    // gateway worker that left. Ask again by a route that still exists; the call id makes the worker
                    // answer with the same evaluation, or start it if the request itself was lost.
                    _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    Notice(
                        $"cluster: a call to {worker.Card.Name} lost its request or reply on the way (a worker it passed through left); asked {worker.Card.Name} again, by call id, so nothing is evaluated twice"
                    );
                    reply.Renew();
                    call = worker.Grain.Evaluate(_setupHash, callId, requestJson);
                }
                cancellation.ThrowIfCancellationRequested();
                if (first == replyLost)
                {
                    _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    lost.Add(
                        $"a reply from {worker.Card.Name} did not come back within {_replyLimit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s"
                    );
                    if (lost.Count >= MaxLostWorkers)
                        return Failed(request, $"no reply after {lost.Count} tries: {string.Join("; ", lost)}");
                    continue; // the worker is fine (its pings say so): its slot is released, the lookup asked again
                }
                string? answer = null;
                if (first == call)
                {
                    try
                    {
                        answer = await call.ConfigureAwait(false);
                    }
                    catch (Exception e)
                        when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
                    {
                        // The call itself failed (the worker's connection went, its silo was declared dead): it is lost.
                        MarkLost(worker, $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
                    }
                }
                else
                    _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed; its answer is no longer wanted
                if (answer is null)
                {
                    release = false;
                    lost.Add(
                        $"{worker.Card.Name} was lost after {watch.Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
                    );
                    if (lost.Count >= MaxLostWorkers)
                        return Failed(
                            request,
                            $"lost {lost.Count} workers while evaluating it: {string.Join("; ", lost)}"
                        );
                    continue;
                }
                var message = JObject.Parse(answer);
                if ((string?)message["error"] is { } error)
                {
                    switch ((string?)message["kind"])
                    {
                        case WorkerSlots.NotPrepared:
                            // The worker restarted under the same name, or lost the setup: ready it again, then retry.
                            if (await PrepareAsync(worker).ConfigureAwait(false) is { } refused)
                                MarkLost(worker, $"it restarted and refuses the race now: {refused}");
                            continue;
                        case WorkerSlots.Leaving:
                            MarkLeaving(worker);
                            continue;
                        default:
                            return Failed(request, $"on worker {worker.Card.Name}: {error}");
                    }
                }
                var result = EvaluationWire.ParseResult(message);
                string where = $"evaluated on cluster worker {worker.Card.Name}";
                if (lost.Count > 0)
                    where += $" after {string.Join("; ", lost)} (their seconds are not charged)";
                return result with
                {
                    Message = string.IsNullOrEmpty(result.Message) ? where : $"{result.Message} ({where})",
                };
            }
            finally
            {
                worker.Calls.TryRemove(callId, out _);
                if (release)
                    Release(worker);
            }
        }
    }

    /// <summary>What happened to workers since the last call (joined, lost, leaving, refused), for the race to journal.</summary>
    public IReadOnlyList<(string Message, bool Warning)> TakeNotices()
    {
        var taken = new List<(string, bool)>();
        while (_notices.TryDequeue(out var notice))
            taken.Add(notice);
        return taken;
    }

    /// <summary>
    /// Queues news for the journal. The same news twice in a row is said once: every trial waiting for a worker notices
    /// that none is left, and the journal needs it once.
    /// </summary>
    private void Notice(string message, bool warning = false)
    {
        lock (_notices)
        {
            if (message == _lastNotice)
                return;
            _lastNotice = message;
            _notices.Enqueue((message, warning));
        }
    }

    private string? _lastNotice;
    private long _given;

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watch?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException) { }
        try
        {
            _clientHost.StopAsync(CancellationToken.None).Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException) { }
        _clientHost.Dispose();
        _stop.Dispose();
    }

    private async Task<Worker> AcquireAsync(CancellationToken cancellation)
    {
        DateTime? waitingSince = null;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                // The worker with the most free slots, and of those the one given a trial longest ago: trials spread
                // over every worker (a newcomer gets work at once, even when one worker could keep up alone).
                var free = _workers.Values.Where(w => w.Usable && w.Free > 0).MaxBy(w => (w.Free, -w.LastGiven));
                if (free is not null)
                {
                    free.LastGiven = ++_given;
                    free.Free--;
                    return free;
                }
                changed = _changed.Task;
                bool none = !_workers.Values.Any(w => w.Usable);
                if (!none)
                    waitingSince = null;
                else if (waitingSince is null)
                {
                    waitingSince = DateTime.UtcNow;
                    Notice(
                        $"no cluster worker is left; waiting up to {WaitForWorkers.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min for one to join {Address}",
                        warning: true
                    );
                }
                else if (DateTime.UtcNow - waitingSince > WaitForWorkers)
                    throw new ClusterLostException(
                        $"no cluster worker for {WaitForWorkers.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min at {Address}: the race stops here; every finished trial is journaled, and --resume goes on when workers are back"
                    );
            }
            try
            {
                await changed.WaitAsync(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
            }
            catch (TimeoutException) { }
        }
    }

    private void Release(Worker worker)
    {
        lock (_gate)
        {
            if (!worker.Gone) // a leaver's slots come back too: one whose trials all returned has left, not been lost
                worker.Free++;
            Signal();
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

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

    private static string FirstLine(Exception e)
    {
        string line = e.Message.Split('\n')[0].Trim();
        // An error a silo could not send back (Redis' own exceptions have no Orleans codec) is named by its type.
        const string noCodec = "Could not find a codec for type ";
        int at = line.IndexOf(noCodec, StringComparison.Ordinal);
        return at >= 0
            ? $"{line[(at + noCodec.Length)..].TrimEnd('.').Split('.')[^1]} on a worker"
            : $"{e.GetType().Name}: {line}";
    }

    private static EvaluationResult Failed(EvaluationRequest request, string message) =>
        new()
        {
            Status = TrialStatus.Failed,
            Metrics = new Metrics(),
            CostSeconds = 0,
            Fidelity = request.Fidelity,
            Message = message,
        };

    private sealed class Worker(WorkerCard card, IEvaluationWorker grain)
    {
        public WorkerCard Card { get; } = card;
        public IEvaluationWorker Grain { get; } = grain;
        public int Free { get; set; } = card.Slots;
        public bool Gone { get; set; }
        public bool Leaving { get; set; }
        public bool Usable => !Gone && !Leaving;
        public int MissedPings { get; set; }

        /// <summary>When it was last given a trial (the dispatcher's count of trials given).</summary>
        public long LastGiven { get; set; }
        public TaskCompletionSource Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The race's calls waiting for this worker's reply, by call id.</summary>
        public ConcurrentDictionary<string, ReplyWatch> Calls { get; } = new();
    }

    /// <summary>
    /// How long a reply may be missing after the worker says its call finished, or a call unknown to the worker: one
    /// in transit arrives within milliseconds; one dropped with a gateway worker that left never does.
    /// </summary>
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// One call's wait for its reply: <see cref="Lost"/> completes once the worker has said, for <see cref="ReplyGrace"/>,
    /// that the call finished or that it never received it.
    /// </summary>
    private sealed class ReplyWatch
    {
        private readonly object _gate = new();
        private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private DateTime? _finishedSeen;

        public Task Lost
        {
            get
            {
                lock (_gate)
                    return _lost.Task;
            }
        }

        /// <summary>One ping round's answer: running (all is well), or finished or unknown since when it was first seen so.</summary>
        public void Seen(bool running, DateTime now)
        {
            lock (_gate)
            {
                if (running)
                {
                    _finishedSeen = null;
                    return;
                }
                _finishedSeen ??= now;
                if (now - _finishedSeen >= ReplyGrace)
                    _lost.TrySetResult();
            }
        }

        /// <summary>Asked again: a new wait, from scratch.</summary>
        public void Renew()
        {
            lock (_gate)
            {
                _finishedSeen = null;
                _lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}

/// <summary>The cluster had no worker for longer than the race waits: the race stops, resumable, with nothing lost.</summary>
public sealed class ClusterLostException(string message) : OperationCanceledException(message);
