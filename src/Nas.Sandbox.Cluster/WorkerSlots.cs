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
    private int _running;
    private volatile bool _leaving;

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

    /// <summary>Evaluates one trial (waiting for a free slot of that setup); the reply is the local worker wire's.</summary>
    public async Task<string> EvaluateAsync(string setupHash, string requestJson)
    {
        Lazy<IEstimator>? ready;
        lock (_gate)
            _prepared.TryGetValue(setupHash, out ready);
        if (ready is not { IsValueCreated: true })
            return WorkerWire.Error(NotPrepared, NotPrepared).ToString(Formatting.None);
        if (_leaving)
            return WorkerWire.Error(Leaving, Leaving).ToString(Formatting.None);
        Interlocked.Increment(ref _running);
        try
        {
            var (architecture, request) = EvaluationWire.ParseRequest(JObject.Parse(requestJson));
            var result = await ready
                .Value.EvaluateAsync(architecture, request, CancellationToken.None)
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

    /// <summary>
    /// Leaving cleanly: no new trials (the race gives them to other slots), and the running ones finish, for at most
    /// <paramref name="limit"/>; returns how many were still running when it gave up waiting.
    /// </summary>
    public async Task<int> LeaveAsync(TimeSpan limit)
    {
        _leaving = true;
        var until = DateTime.UtcNow + limit;
        // Two of the races' ping rounds (one a second): every race has heard that this worker is leaving before it
        // stops, and gives its next trials to other slots instead of finding a stopped silo and calling it lost.
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        while (Running > 0 && DateTime.UtcNow < until)
            await Task.Delay(100).ConfigureAwait(false);
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
                OperationRegistry.CreateDefault().Names
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
