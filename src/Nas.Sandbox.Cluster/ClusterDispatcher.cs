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
/// <para>Split by concern: this file hands trials to slots; ClusterDispatcher.Discovery.cs finds and readies workers,
/// ClusterDispatcher.Watch.cs pings them and marks them lost or leaving, ClusterDispatcher.Worker.cs holds what is known
/// of each.</para>
/// </summary>
public sealed partial class ClusterDispatcher : IDisposable
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

    /// <summary>
    /// How many failed calls in a row a worker that still answers its pings is asked again (by call id) before it is
    /// taken as lost: enough for a gateway worker or two leaving, few enough that a worker failing every call is not
    /// asked forever.
    /// </summary>
    private const int MaxCallsFailedOnTheWay = 3;

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
                int failedOnTheWay = 0;
                while (true)
                {
                    var lostOnTheWay = reply.Lost;
                    first = await Task.WhenAny(call, worker.Lost.Task, cancelled, replyLost, lostOnTheWay)
                        .ConfigureAwait(false);
                    string? askedAgain = null;
                    if (first == lostOnTheWay)
                        // The worker finished it (or never received it) seconds ago and no reply came: dropped with a
                        // gateway worker that left. Ask again by a route that still exists; the call id makes the
                        // worker answer with the same evaluation, or start it if the request itself was lost.
                        askedAgain = "lost its request or reply on the way (a worker it passed through left)";
                    else if (
                        first == call
                        && !call.IsCompletedSuccessfully
                        && !cancellation.IsCancellationRequested
                        && failedOnTheWay < MaxCallsFailedOnTheWay
                        && await StillAnswersAsync(worker).ConfigureAwait(false)
                    )
                    {
                        // The call failed, yet the worker answers its pings: the route failed, not the worker (a
                        // call fails too when the gateway worker it went through leaves). The pings decide, as the
                        // watch's do; a worker that answers pings and fails every call is lost after a few.
                        failedOnTheWay++;
                        askedAgain =
                            $"failed on the way ({FirstLine(call.Exception?.GetBaseException() ?? new TaskCanceledException())}) while {worker.Card.Name} answers pings";
                    }
                    if (askedAgain is null)
                        break;
                    _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    Notice(
                        $"cluster: a call to {worker.Card.Name} {askedAgain}; asked {worker.Card.Name} again, by call id, so nothing is evaluated twice"
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
}

/// <summary>The cluster had no worker for longer than the race waits: the race stops, resumable, with nothing lost.</summary>
public sealed class ClusterLostException(string message) : OperationCanceledException(message);
