using System.Diagnostics;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Racing.Training;

/// <summary>
/// One heat's search-train and search-validation tensors, made on first use from the race's dataset with the same
/// split and sizes as the training estimator (<see cref="SearchSplit"/>), and shared read-only by every contestant of
/// the heat. The time spent loading is reported to the kit that triggered it, so that it is not charged to a contestant.
/// </summary>
internal sealed class HeatTrainingData(RaceTrainingData race, TrainingSettings settings, long dataSeed) : IDisposable
{
    private readonly Lock _gate = new();
    private Tensors? _tensors;
    private bool _disposed;

    public TrainingSettings Settings { get; } = settings;
    public long DataSeed { get; } = dataSeed;
    public RaceTrainingData Race { get; } = race;

    public int Classes => Race.Data.Train.Classes;
    public int InputChannels => Race.Data.Train.Channels;
    public int ImageSize => Race.Data.Train.Height;

    /// <summary>The tensors, loaded on first call; <paramref name="loadSeconds"/> is the time this call spent loading.</summary>
    public Tensors Get(out double loadSeconds)
    {
        loadSeconds = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_tensors is not null)
                return _tensors;
            long start = Stopwatch.GetTimestamp();
            var data = Race.Data; // may throw a NasException naming the missing files
            var (trainIndices, validationIndices) = SearchSplit.Indices(data.Train, Settings, DataSeed);
            // Detached from any dispose scope the strategy may have open: these belong to the host.
            var (trainImages, trainLabels) = TensorLoader.Load(data.Train, trainIndices, Race.Device);
            var (validationImages, validationLabels) = TensorLoader.Load(data.Train, validationIndices, Race.Device);
            _tensors = new Tensors(
                trainImages.DetachFromDisposeScope(),
                trainLabels.DetachFromDisposeScope(),
                validationImages.DetachFromDisposeScope(),
                validationLabels.DetachFromDisposeScope()
            );
            loadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            return _tensors;
        }
    }

    /// <summary>
    /// Frees the tensors, unless a call the referee abandoned is still running (<see cref="AbandonedCalls"/>): it may be
    /// reading them inside libtorch, so they are left to the garbage collector, which frees them once nothing holds them.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (AbandonedCalls.Running == 0)
                _tensors?.Dispose();
            _tensors = null;
        }
    }

    internal sealed record Tensors(
        Tensor TrainImages,
        Tensor TrainLabels,
        Tensor ValidationImages,
        Tensor ValidationLabels
    ) : IDisposable
    {
        public void Dispose()
        {
            TrainImages.Dispose();
            TrainLabels.Dispose();
            ValidationImages.Dispose();
            ValidationLabels.Dispose();
        }
    }
}
