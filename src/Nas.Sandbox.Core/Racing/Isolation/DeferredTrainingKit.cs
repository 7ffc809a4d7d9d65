using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing.Training;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// A contestant process's copy of its training kit, made on the first touch: most strategies never touch it, and
/// making it loads libtorch and (later) the dataset, which a process that only asks and tells should not pay for.
/// The time it takes to make is the host's, not the strategy's, like loading data in-process.
/// </summary>
internal sealed class DeferredTrainingKit(Func<TrainingKit> make) : ITrainingKit
{
    private TrainingKit? _kit;
    private double _makeSeconds;

    private long _touches;

    /// <summary>Touches of any member, counted here so that a touch whose kit could not be made still counts.</summary>
    public long Touches => Interlocked.Read(ref _touches);
    public double HostSeconds => _makeSeconds + (_kit?.HostSeconds ?? 0);

    private TrainingKit Kit
    {
        get
        {
            Interlocked.Increment(ref _touches);
            if (_kit is not null)
                return _kit;
            long start = Stopwatch.GetTimestamp();
            _kit = make();
            _makeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return _kit;
        }
    }

    public Device Device => Kit.Device;
    public Tensor TrainingImages => Kit.TrainingImages;
    public Tensor TrainingLabels => Kit.TrainingLabels;
    public Tensor ValidationImages => Kit.ValidationImages;
    public Tensor ValidationLabels => Kit.ValidationLabels;
    public int Classes => Kit.Classes;
    public int Channels => Kit.Channels;
    public int CellsPerStage => Kit.CellsPerStage;
    public int BatchSize => Kit.BatchSize;
    public long Seed => Kit.Seed;

    public nn.Module<Tensor, Tensor> BuildOperation(string name, int channelsIn, int channelsOut, int stride) =>
        Kit.BuildOperation(name, channelsIn, channelsOut, stride);

    public nn.Module<Tensor, Tensor> BuildOperation(
        string name,
        int channelsIn,
        int channelsOut,
        int stride,
        bool affine,
        bool trackRunningStats
    ) => Kit.BuildOperation(name, channelsIn, channelsOut, stride, affine, trackRunningStats);

    public nn.Module<Tensor, Tensor> BuildNetwork(Func<int, nn.Module<Tensor, Tensor>> cell) => Kit.BuildNetwork(cell);
}
