using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Racing.Training;

/// <summary>
/// The data a race offers to strategies that train weights (through <see cref="ITrainingKit"/>): the dataset, loaded
/// at most once and only when a contestant first touches it, the training settings the race's fidelity applies to,
/// the operations and the device. In a training race it is the training estimator's own data (<see cref="For"/>),
/// so both see the same images without a second load; in a tabular race it is loaded from the race's dataset.
/// Holds one heat's tensors at a time.
/// </summary>
public sealed class RaceTrainingData : IDisposable
{
    private readonly Lazy<DatasetBundle> _data;
    private readonly Lazy<Device> _device;
    private readonly Lock _gate = new();
    private HeatTrainingData? _heat;

    public RaceTrainingData(
        Func<DatasetBundle> load,
        OperationRegistry operations,
        TrainingSettings settings,
        Device? device = null
    )
        : this(load, operations, settings, () => device ?? CPU) { }

    /// <param name="device">
    /// The device, resolved when first needed: naming one (even the CPU) loads libtorch, which a race whose contestants
    /// never touch the kit need not do.
    /// </param>
    public RaceTrainingData(
        Func<DatasetBundle> load,
        OperationRegistry operations,
        TrainingSettings settings,
        Func<Device> device
    )
    {
        settings.Validate();
        // A failed load is remembered: every later touch fails with the same clear message instead of retrying.
        _data = new Lazy<DatasetBundle>(load, LazyThreadSafetyMode.ExecutionAndPublication);
        _device = new Lazy<Device>(device, LazyThreadSafetyMode.ExecutionAndPublication);
        Operations = operations;
        Settings = settings;
    }

    /// <summary>The training estimator's data, settings, operations and device: one load for both.</summary>
    public static RaceTrainingData For(TrainingEstimator estimator) =>
        new(() => estimator.Data, estimator.Operations, estimator.Settings, estimator.Device);

    public OperationRegistry Operations { get; }
    public TrainingSettings Settings { get; }
    public Device Device => _device.Value;

    /// <summary>True once the dataset has been loaded (a race whose contestants never touch the kit never loads it).</summary>
    public bool Loaded => _data.IsValueCreated;

    internal DatasetBundle Data => _data.Value;

    /// <summary>A kit for one contestant in one heat: the heat's split at the race's fidelity, and the contestant's weight seed.</summary>
    public TrainingKit KitFor(long dataSeed, Fidelity fidelity, long seed)
    {
        var settings = Settings.With(fidelity);
        settings.Validate();
        lock (_gate)
        {
            if (_heat is null || _heat.DataSeed != dataSeed || _heat.Settings != settings)
            {
                // The previous heat is over: its contestants have been retired, so its tensors can go.
                _heat?.Dispose();
                _heat = new HeatTrainingData(this, settings, dataSeed);
            }
            return new TrainingKit(_heat, seed);
        }
    }

    /// <summary>
    /// Something a contestant's use of the kit should tell the user, once per race (e.g. a plugin operation that cannot
    /// build the batch norms a supernet asks for). Raised on the contestant's thread; hosts print or show it.
    /// </summary>
    public event Action<string>? Notice;

    private readonly HashSet<string> _noticed = [];

    /// <summary>Raises <see cref="Notice"/> the first time <paramref name="key"/> comes up in this race.</summary>
    internal void NoticeOnce(string key, string message)
    {
        lock (_gate)
            if (!_noticed.Add(key))
                return;
        Notice?.Invoke(message);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _heat?.Dispose();
            _heat = null;
        }
    }
}
