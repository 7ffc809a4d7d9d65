using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nas.Sandbox.Cluster;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas worker --cluster CONNECTION</c>: an Orleans silo that offers this machine's evaluation slots to races on the
/// cluster (<see cref="WorkerSlots"/>). It runs until Ctrl-C or SIGTERM, then leaves cleanly: no new trials, the running
/// ones finish (at most <c>--leave-timeout</c>), then the silo says goodbye to the cluster.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = $"the cluster to join: {ClusterAddress.Forms}",
            Required = true,
        };
        var slots = new Option<int?>("--slots")
        {
            Description =
                "trials evaluated at once, each in a process of its own [cores / --worker-threads; one per GPU with --device cuda]",
        };
        var threads = new Option<int?>("--worker-threads")
        {
            Description = "libtorch threads per slot [cores / slots]",
        };
        var device = CommonOptions.Device();
        var name = new Option<string?>("--name")
        {
            Description = "the worker's name in the cluster, unique [HOST-PID]",
        };
        var port = new Option<int>("--port")
        {
            Description =
                "the port other workers reach this one on [11111 for the first localhost worker, else a free one]",
        };
        var gatewayPort = new Option<int>("--gateway-port")
        {
            Description = "the port races reach this worker on [30000 for the first localhost worker, else a free one]",
        };
        var advertise = new Option<string?>("--advertise")
        {
            Description =
                "the address other machines reach this worker at [127.0.0.1 when the store is on this machine, else this machine's first IPv4 address]",
        };
        var tables = new Option<string[]>("--tables")
        {
            Description =
                "a folder where races' tables may be found by name (used only when the SHA-256 matches); repeatable",
        };
        var packs = new Option<string>("--packs")
        {
            Description =
                "which code races may send as a pack: any (whose bytes match their SHA-256), none (built-in estimators and operations only), or comma-separated SHA-256s (exactly those packs; a race journals its pack's)",
            DefaultValueFactory = _ => "any",
        };
        var timeout = new Option<double>("--worker-timeout")
        {
            Description =
                "seconds one trial may take on a slot; longer, and the slot's process is stopped and the trial fails",
            DefaultValueFactory = _ => 3600,
        };
        var leaveTimeout = new Option<double>("--leave-timeout")
        {
            Description =
                "seconds a stopping worker waits for its running trials before it leaves anyway (the race gives them to other slots)",
            DefaultValueFactory = _ => 600,
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "worker",
            "Offer this machine's evaluation slots to races on a cluster (an Orleans silo); Ctrl-C leaves cleanly."
        )
        {
            cluster,
            slots,
            threads,
            device,
            name,
            port,
            gatewayPort,
            advertise,
            tables,
            packs,
            timeout,
            leaveTimeout,
            verbose,
        };
        command.SetAction((result, cancellation) => CommonOptions.GuardAsync(result.GetValue(verbose), async () =>
                {
                    var address = ClusterAddress.Parse(result.GetValue(cluster)!);
                    int cores = Environment.ProcessorCount;
                    int? givenSlots = result.GetValue(slots),
                        givenThreads = result.GetValue(threads);
                    if (givenSlots is < 1)
                        throw new NasException($"--slots must be at least 1, not {givenSlots}.");
                    if (givenThreads is < 1)
                        throw new NasException($"--worker-threads must be at least 1, not {givenThreads}.");
                    // One slot per GPU when the slots train on GPUs; else the cores shared out by thread count.
                    int gpus = Devices.GpusToSpreadOver(result.GetValue(device)!);
                    int slotCount = givenSlots ?? (gpus > 0 ? gpus : Math.Max(1, cores / (givenThreads ?? cores)));
                    int threadCount = givenThreads ?? Math.Max(1, cores / slotCount);
                    bool first =
                        address.Store == ClusterStore.Localhost && !PortInUse(ClusterAddress.DefaultPrimarySiloPort);
                    var options = new WorkerOptions
                    {
                        Cluster = address,
                        Name = result.GetValue(name) ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                        Slots = slotCount,
                        ThreadsPerSlot = threadCount,
                        Device = result.GetValue(device)!,
                        SiloPort = Port(result, port, first ? ClusterAddress.DefaultPrimarySiloPort : 0),
                        GatewayPort = Port(result, gatewayPort, first ? ClusterHosting.LocalhostGatewayPort : 0),
                        Advertise = Advertise(result.GetValue(advertise), address),
                        TableFolders = (result.GetValue(tables) ?? []).Select(Path.GetFullPath).ToArray(),
                        AcceptPacks = PackAcceptance.Parse(result.GetValue(packs)!),
                        SlotProcess = ContestantProcessCommand.StartOfThisHost(EstimatorProcessCommand.Name),
                        TrialTimeout = TimeSpan.FromSeconds(Positive(result.GetValue(timeout), "--worker-timeout")),
                    };
                    double leaveSeconds = Positive(result.GetValue(leaveTimeout), "--leave-timeout");
                    // Nothing but built-in code and the verified packs races send runs here: no home folder's plugins,
                    // no installed packs, no plugin path.
                    string emptyHome = Directory.CreateTempSubdirectory("nas-worker-home-").FullName;
                    Environment.SetEnvironmentVariable("NAS_HOME", emptyHome);
                    // Gone when the worker ends (a leave, Ctrl-C, an error); a kill -9 leaves it to the temp cleaner.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(emptyHome);
                    Environment.SetEnvironmentVariable("NAS_PLUGIN_PATH", null);
                    ClusterHosting.RequireRedis(address);
                    using var workerSlots = new WorkerSlots(options);
                    using var host = ClusterHosting.BuildWorker(options, workerSlots);
                    try
                    {
                        await host.StartAsync(cancellation);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        throw new NasException(
                            $"nas worker could not join {address} as {options.Name} on ports {options.SiloPort}/{options.GatewayPort}: {e.Message.Split('\n')[0].Trim()}"
                        );
                    }
                    Console.WriteLine(
                        $"worker {options.Name} joined {address}: {slotCount} slot(s) of {threadCount} thread(s) on {options.Device}; "
                            + $"silo port {options.SiloPort}, gateway port {options.GatewayPort}, advertised at {options.Advertise}. Ctrl-C leaves."
                    );
                    // SIGTERM reaches the host's console lifetime (which stops the application), Ctrl-C this command.
                    var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, stopping);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, either.Token);
                    }
                    catch (OperationCanceledException) { }
                    Console.WriteLine($"worker {options.Name} is leaving: finishing {workerSlots.Running} trial(s)…");
                    int unfinished = await workerSlots.LeaveAsync(TimeSpan.FromSeconds(leaveSeconds));
                    if (unfinished > 0)
                        Console.WriteLine(
                            $"worker {options.Name}: {unfinished} trial(s) still running after {leaveSeconds} s; the race gives them to other slots."
                        );
                    // A graceful stop writes "dead" into the membership store; when the store is away or lost its data
                    // (Redis restarted without saving), Orleans retries that without end and ignores the token. After
                    // 20 s the worker leaves anyway: the other silos declare it dead themselves, the race's pings notice.
                    var stop = host.StopAsync(CancellationToken.None);
                    if (await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(20))) != stop)
                    {
                        Console.WriteLine(
                            $"worker {options.Name} left {address} without saying goodbye: the membership store did not answer within 20 s."
                        );
                        workerSlots.Dispose();
                        Environment.Exit(0); // the host's own disposal would wait on the same store
                    }
                    Console.WriteLine($"worker {options.Name} left {address}.");
                    return 0;
                }));
        return command;
    }

    private static int Port(ParseResult result, Option<int> option, int fallback)
    {
        int given = result.GetValue(option);
        if (given == 0)
            return fallback == 0 ? FreePort() : fallback;
        return given is > 0 and < 65536
            ? given
            : throw new NasException($"{option.Name} {given}: not a port (1 to 65535).");
    }

    private static double Positive(double seconds, string option) =>
        seconds > 0 && double.IsFinite(seconds)
            ? seconds
            : throw new NasException(
                $"{option} must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}."
            );

    private static IPAddress Advertise(string? given, ClusterAddress address)
    {
        if (given is not null)
            return IPAddress.TryParse(given, out var ip)
                ? ip
                : throw new NasException($"--advertise '{given}': not an IP address.");
        bool local = address.Store == ClusterStore.Localhost || address.Host is "localhost" or "127.0.0.1" or "::1";
        if (local)
            return IPAddress.Loopback;
        return Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? throw new NasException(
                "this machine has no IPv4 address other machines could reach; give one with --advertise."
            );
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool PortInUse(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
