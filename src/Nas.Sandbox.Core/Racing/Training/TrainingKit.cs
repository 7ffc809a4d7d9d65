using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Racing.Training;

/// <summary>
/// One contestant's <see cref="ITrainingKit"/> for one heat. It counts every touch (any member), which the referee
/// reads before and after each Ask and Tell to decide whether the call's wall time is charged, and it adds up the
/// time spent loading data on the host's behalf, which is not charged. A kit whose call the referee abandoned is
/// revoked (<see cref="Revoke"/>).
/// </summary>
public sealed class TrainingKit : ITrainingKit
{
    private readonly HeatTrainingData _heat;
    private readonly long _seed;
    private readonly Lock _gate = new();
    private long _touches;
    private double _hostSeconds;

    internal TrainingKit(HeatTrainingData heat, long seed) => (_heat, _seed) = (heat, seed);

    /// <summary>How many times the strategy has touched the kit (read before and after a call).</summary>
    public long Touches => Interlocked.Read(ref _touches);

    /// <summary>Seconds spent inside the kit loading data for the host (not the strategy's to pay).</summary>
    public double HostSeconds => Volatile.Read(ref _hostSeconds);

    private volatile bool _revoked;

    private void Touch()
    {
        if (_revoked)
            throw new OperationCanceledException(
                "The referee abandoned this call (it overran the call timeout): its training kit is revoked, so the call stops here."
            );
        Interlocked.Increment(ref _touches);
    }

    /// <summary>
    /// After the referee abandoned a call that overran the call timeout: every later touch throws
    /// <see cref="OperationCanceledException"/>, so the abandoned search stops at its next touch (a supernet touches the
    /// kit every round) instead of training on for nothing, beside the race, inside libtorch when the process exits.
    /// The rebuilt instance gets a fresh kit.
    /// </summary>
    internal void Revoke() => _revoked = true;

    /// <summary>The heat's data seed and the weight seed, read without touching (a contestant process builds its own kit from them).</summary>
    internal long DataSeed => _heat.DataSeed;
    internal long WeightSeed => _seed;

    /// <summary>
    /// A contestant running in its own process touched its copy of this kit during a call: counted here as a touch, so
    /// the referee charges the call as it would in-process, with the seconds that copy spent loading data for the host.
    /// </summary>
    internal void RecordRemoteUse(double hostSeconds)
    {
        Interlocked.Increment(ref _touches); // the host's bookkeeping, not a touch by the strategy: never refused
        if (hostSeconds > 0)
            lock (_gate)
                _hostSeconds += hostSeconds;
    }

    public Device Device
    {
        get
        {
            Touch();
            return _heat.Race.Device;
        }
    }
    public Tensor TrainingImages
    {
        get
        {
            Touch();
            return Tensors().TrainImages;
        }
    }
    public Tensor TrainingLabels
    {
        get
        {
            Touch();
            return Tensors().TrainLabels;
        }
    }
    public Tensor ValidationImages
    {
        get
        {
            Touch();
            return Tensors().ValidationImages;
        }
    }
    public Tensor ValidationLabels
    {
        get
        {
            Touch();
            return Tensors().ValidationLabels;
        }
    }
    public int Classes
    {
        get
        {
            Touch();
            Tensors();
            return _heat.Classes;
        }
    }
    public int Channels
    {
        get
        {
            Touch();
            return _heat.Settings.Channels;
        }
    }
    public int CellsPerStage
    {
        get
        {
            Touch();
            return _heat.Settings.CellsPerStage;
        }
    }
    public int BatchSize
    {
        get
        {
            Touch();
            return _heat.Settings.BatchSize;
        }
    }
    public long Seed
    {
        get
        {
            Touch();
            return _seed;
        }
    }

    public nn.Module<Tensor, Tensor> BuildOperation(string name, int channelsIn, int channelsOut, int stride)
    {
        Touch();
        TorchRuntime.EnsureLoaded(); // the log level, before a strategy runs an operation of its own (see BuildNetwork)
        return _heat.Race.Operations.Get(name).Build(channelsIn, channelsOut, stride);
    }

    public nn.Module<Tensor, Tensor> BuildOperation(
        string name,
        int channelsIn,
        int channelsOut,
        int stride,
        bool affine,
        bool trackRunningStats
    )
    {
        Touch();
        var operations = _heat.Race.Operations;
        var asked = new BatchNormOptions(affine, trackRunningStats);
        var module = operations.Build(name, channelsIn, channelsOut, stride, asked, out bool honoured);
        if (!honoured && asked != BatchNormOptions.Standard)
            _heat.Race.NoticeOnce(
                name,
                $"operation '{name}' ({operations.SourceOf(name)}) takes no batch-norm options (IOperation.Build has none): "
                    + $"it is used as it builds itself, not with affine={Lower(affine)}, track_running_stats={Lower(trackRunningStats)} as the supernet asked"
            );
        return module;
    }

    private static string Lower(bool value) => value ? "true" : "false";

    public nn.Module<Tensor, Tensor> BuildNetwork(Func<int, nn.Module<Tensor, Tensor>> cell)
    {
        Touch();
        ArgumentNullException.ThrowIfNull(cell);
        Tensors(); // the data's shape (channels, size, classes) shapes the network
        var settings = new NetworkSettings(
            _heat.Settings.Channels,
            _heat.Settings.CellsPerStage,
            _heat.InputChannels,
            _heat.ImageSize,
            _heat.Classes
        );
        lock (TorchGenerator.Lock)
        {
            manual_seed(_seed);
            var network = new Nb201Network(settings, cell);
            // Not run: a supernet cannot run before its strategy sets the mixer's weights.
            ConvolutionCheck.ThrowIfMiscomputedWithoutRunning(
                network,
                settings.InputChannels,
                "the strategy's network",
                trainsOn: _heat.Race.Device
            );
            if (_heat.Race.Device.type != TorchSharp.DeviceType.CPU)
                network.to(_heat.Race.Device);
            return network;
        }
    }

    private HeatTrainingData.Tensors Tensors()
    {
        var tensors = _heat.Get(out double loadSeconds);
        if (loadSeconds > 0)
            lock (_gate)
                _hostSeconds += loadSeconds;
        return tensors;
    }
}
