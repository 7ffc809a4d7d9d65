using System.Security.Cryptography;
using System.Text;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing.Isolation;
using Nas.Sandbox.Core.Racing.Workers;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// A worker's evaluation slots: what <c>nas worker</c> offers the cluster. A race's setup is checked
/// (<see cref="WorkerSetupCheck"/>), then served by this machine's own worker processes (<see cref="WorkerPool"/>, one
/// per slot, so a native crash or an out-of-memory kill costs one trial, never the silo), or, for a table, by lookups
/// in this process. Setups are kept by hash: a race that comes back (resumed, or after a network blip) finds its slots
/// ready.
/// </summary>
public sealed class WorkerSlots(WorkerOptions options) : IDisposable
{
    /// <summary>The reply error that tells the race to send its setup again (this worker restarted or never had it).</summary>
    public const string NotPrepared = "not-prepared";

    /// <summary>The reply error of a worker that is stopping: the race gives the trial to another slot.</summary>
    public const string Leaving = "leaving";

    /// <summary>A ping's answer from a worker that takes trials.</summary>
    public const string Ready = "ready";

    private readonly object _gate = new();
    private readonly Dictionary<string, Lazy<IEstimator>> _prepared = [];
    private string? _packFolder;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Call> _calls = new();
    private int _running;
    private int _started;
    private volatile bool _leaving;
    private long _lastRefusedTicks;

    /// <summary>
    /// How long a leaving worker stays up after it began leaving, and after the last trial it refused for leaving: two
    /// of the races' ping rounds (one a second), so every race calling it hears that it is leaving before it stops.
    /// </summary>
    private static readonly TimeSpan LeaveQuiet = TimeSpan.FromSeconds(2);

    public WorkerCard Card =>
        new()
        {
            Name = options.Name,
            Slots = options.Slots,
            Build = BuildIdentity.Build,
            Api = BuildIdentity.Api,
            Machine = Environment.MachineName,
            ProcessId = Environment.ProcessId,
            Leaving = _leaving,
            Device = options.Device,
            ThreadsPerSlot = options.ThreadsPerSlot,
        };

    /// <summary>Trials running now.</summary>
    public int Running => Volatile.Read(ref _running);

    public bool IsLeaving => _leaving;

    /// <summary>The hash a setup is known by (of its exact JSON text, as the race sent it).</summary>
    public static string HashOf(string setupJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(setupJson)));

    /// <summary>Checks a race's setup and readies slots for it; null when ready, else why this worker refuses it.</summary>
    public string? Prepare(string setupJson)
    {
        if (_leaving)
            return $"{options.Name} is leaving the cluster";
        string hash = HashOf(setupJson);
        Lazy<IEstimator> ready;
        lock (_gate)
        {
            if (!_prepared.TryGetValue(hash, out ready!))
            {
                JObject setup;
                try
                {
                    setup = JObject.Parse(setupJson);
                }
                catch (JsonException e)
                {
                    return $"{options.Name}: the race's setup is not JSON ({e.Message})";
                }
                InstalledPack? pack = null;
                if (setup["pack"] is JObject shipped)
                {
                    try
                    {
                        pack = ShippedPack.Install(shipped, PackFolder(), options.AcceptPacks);
                    }
                    catch (Exception e) when (e is PackException or IOException or UnauthorizedAccessException)
                    {
                        return $"{options.Name} refuses the race's pack: {e.Message}";
                    }
                }
                var check = WorkerSetupCheck.Localize(setup, options, pack);
                if (check.Refusal is { } refusal)
                    return $"{options.Name} refuses the race's setup: {refusal}";
                ready = new Lazy<IEstimator>(() => Make(check.Setup!), LazyThreadSafetyMode.ExecutionAndPublication);
                _prepared[hash] = ready;
            }
        }
        try
        {
            _ = ready.Value;
            return null;
        }
        catch (Exception e)
        {
            lock (_gate)
                _prepared.Remove(hash);
            return $"{options.Name} could not make the race's estimator: {e.Message}";
        }
    }

    /// <summary>
    /// Evaluates one trial (waiting for a free slot of that setup); the reply is the local worker wire's. A call id
    /// asked again gets the same evaluation's reply (awaited if it is still running), never a second evaluation: the
    /// race asks again when a request or reply was lost on its way (<see cref="CallStates"/>).
    /// </summary>
    public Task<string> EvaluateAsync(string setupHash, string callId, string requestJson)
    {
        ForgetOldCalls();
        if (_calls.TryGetValue(callId, out var known))
            return known.Reply.Value;
        Lazy<IEstimator>? ready;
        lock (_gate)
            _prepared.TryGetValue(setupHash, out ready);
        if (ready is not { IsValueCreated: true })
            return Task.FromResult(WorkerWire.Error(NotPrepared, NotPrepared).ToString(Formatting.None));
        if (_leaving)
        {
            Volatile.Write(ref _lastRefusedTicks, DateTime.UtcNow.Ticks); // a race that has not heard yet: stay a while
            return Task.FromResult(WorkerWire.Error(Leaving, Leaving).ToString(Formatting.None));
        }
        var call = _calls.GetOrAdd(callId, _ => new Call(() => RunAsync(ready.Value, requestJson)));
        return call.Reply.Value;
    }

    /// <summary>A call id this worker has not been asked (or has forgotten): its request may have been lost on the way.</summary>
    public const string CallUnknown = "unknown";

    /// <summary>A call this worker is evaluating (or waiting for a slot for).</summary>
    public const string CallRunning = "running";

    /// <summary>A call this worker has finished: its reply was sent.</summary>
    public const string CallFinished = "finished";

    /// <summary>What this worker knows of each call id (<see cref="CallUnknown"/>, <see cref="CallRunning"/>, <see cref="CallFinished"/>).</summary>
    public string[] CallStates(IEnumerable<string> callIds) =>
        callIds
            .Select(id =>
                !_calls.TryGetValue(id, out var call) ? CallUnknown
                : call.FinishedAt is null ? CallRunning
                : CallFinished
            )
            .ToArray();

    /// <summary>
    /// Fault injection for tests: a call id for which it returns true has its reply held back by the grain (as when a
    /// gateway worker left with it), so the race's recovery can be tested on real silos. Null in <c>nas worker</c>.
    /// </summary>
    internal Func<string, bool>? LoseReply { get; set; }

    /// <summary>
    /// Fault injection for tests: a call id for which it returns true fails after its evaluation (as a call fails when
    /// the gateway worker it went through leaves), while the worker goes on answering pings. Null in <c>nas worker</c>.
    /// </summary>
    internal Func<string, bool>? FailReply { get; set; }

    /// <summary>Evaluations started on this worker (a call asked again is not one): what tests count.</summary>
    internal int Started => Volatile.Read(ref _started);

    /// <summary>
    /// A finished call's reply is kept this long, for a race whose copy was lost on the way: far longer than the few
    /// seconds a race waits before asking again, far shorter than a worker lives.
    /// </summary>
    private static readonly TimeSpan KeepReplies = TimeSpan.FromMinutes(10);

    private void ForgetOldCalls()
    {
        var before = DateTime.UtcNow - KeepReplies;
        foreach (var (id, call) in _calls)
            if (call.FinishedAt < before)
                _calls.TryRemove(id, out _);
    }

    private async Task<string> RunAsync(IEstimator estimator, string requestJson)
    {
        Interlocked.Increment(ref _running);
        Interlocked.Increment(ref _started);
        try
        {
            var (architecture, request) = EvaluationWire.ParseRequest(JObject.Parse(requestJson));
            var result = await estimator
                .EvaluateAsync(architecture, request, CancellationToken.None)
                .ConfigureAwait(false);
            var reply = EvaluationWire.Result(result);
            reply["worker"] = options.Name;
            return reply.ToString(Formatting.None);
        }
        catch (Exception e)
        {
            return WorkerWire.Error($"{e.GetType().Name}: {e.Message}").ToString(Formatting.None);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>One evaluation, started once however often its call id is asked.</summary>
    private sealed class Call
    {
        private long _finishedTicks;

        public Call(Func<Task<string>> run) =>
            Reply = new Lazy<Task<string>>(
                async () =>
                {
                    try
                    {
                        return await run().ConfigureAwait(false);
                    }
                    finally
                    {
                        Volatile.Write(ref _finishedTicks, DateTime.UtcNow.Ticks);
                    }
                },
                LazyThreadSafetyMode.ExecutionAndPublication
            );

        public Lazy<Task<string>> Reply { get; }

        public DateTime? FinishedAt =>
            Volatile.Read(ref _finishedTicks) is var ticks and > 0 ? new DateTime(ticks, DateTimeKind.Utc) : null;
    }

    /// <summary>
    /// Leaving cleanly: no new trials (the race gives them to other slots), and the running ones finish, for at most
    /// <paramref name="limit"/>; returns how many were still running when it gave up waiting.
    /// </summary>
    public async Task<int> LeaveAsync(TimeSpan limit)
    {
        var began = DateTime.UtcNow;
        Volatile.Write(ref _lastRefusedTicks, began.Ticks);
        _leaving = true;
        var until = began + limit;
        // Every race calling this worker must hear that it is leaving before it stops, and give its next trials to
        // other slots, instead of finding a stopped silo and calling it lost. A race hears it from a ping (one a
        // second), so stay two ping rounds; and a race still sending trials has not heard yet (a loaded machine can
        // delay its pings by seconds): stay until two seconds pass without a refused trial, within the limit.
        while (DateTime.UtcNow < until)
        {
            var quietSince = new DateTime(Volatile.Read(ref _lastRefusedTicks), DateTimeKind.Utc);
            if (Running == 0 && DateTime.UtcNow - quietSince >= LeaveQuiet)
                break;
            await Task.Delay(100).ConfigureAwait(false);
        }
        return Running;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var ready in _prepared.Values.Where(r => r.IsValueCreated))
                (ready.Value as IDisposable)?.Dispose();
            _prepared.Clear();
            if (_packFolder is not null)
            {
                try
                {
                    Directory.Delete(_packFolder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                _packFolder = null;
            }
        }
    }

    /// <summary>Where the packs races send are installed: this worker's own, deleted when it stops (under the gate).</summary>
    private string PackFolder() => _packFolder ??= Directory.CreateTempSubdirectory("nas-worker-packs-").FullName;

    private IEstimator Make(JObject setup)
    {
        if (setup["table"] is JObject table)
        {
            string path = (string)table["path"]!;
            var loaded = TabularTable.Load(
                path,
                TableColumns.For(path, (string?)table["columns"], (bool?)table["percent"]),
                // The race read the table with its space already; a worker only looks rows up by key.
                (string?)setup["space"]?["name"]
                    is { } space
                        and not "nb201"
                    ? TableKeys.Verbatim(space)
                    : TableKeys.Nb201(OperationRegistry.CreateDefault().Names)
            );
            return new TabularEstimator(
                loaded,
                (string?)table["seeds"] == "sample" ? TableSeeds.Sample : TableSeeds.Mean,
                (bool?)table["epochs"] ?? false
            );
        }
        string device = options.Device;
        return WorkerPool.Start(
            options.SlotProcess,
            slot =>
            {
                var mine = (JObject)setup.DeepClone();
                mine["device"] = Devices.ForWorker(device, slot);
                mine["threads"] = options.ThreadsPerSlot;
                return mine;
            },
            options.Slots,
            options.TrialTimeout
        );
    }
}
