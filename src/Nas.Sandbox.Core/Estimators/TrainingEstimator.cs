using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Estimators;

/// <summary>
/// Low-fidelity training estimator: builds the NB201 network for the architecture, trains it with SGD (momentum,
/// Nesterov, weight decay) under a cosine learning-rate schedule on search-train, and measures accuracy and loss on
/// search-validation. A NaN or exploding loss gives <see cref="TrialStatus.Diverged"/>; any other failure
/// <see cref="TrialStatus.Failed"/>; neither throws. Deterministic on CPU for a given seed. One dispose scope per batch,
/// <c>no_grad</c> for validation, and the network and optimiser are disposed after each evaluation, so memory stays
/// flat across thousands of evaluations.
/// </summary>
public sealed class TrainingEstimator : IEstimator
{
    private const int EvaluationBatch = 500;
    private readonly DatasetBundle _data;
    private readonly OperationRegistry _operations;
    private readonly TrainingSettings _settings;
    private readonly Device _device;
    private readonly ISpaceProvider _space;

    /// <param name="space">Whose networks it trains: the race's space (<c>nb201</c>'s when null).</param>
    public TrainingEstimator(
        DatasetBundle data,
        OperationRegistry operations,
        TrainingSettings settings,
        Device? device = null,
        ISpaceProvider? space = null
    )
    {
        settings.Validate();
        _data = data;
        _operations = operations;
        _settings = settings;
        _device = device ?? CPU;
        _space = space ?? new Spaces.Nb201SpaceProvider();
    }

    public string Name => "train";
    public TrainingSettings Settings => _settings;

    /// <summary>The data it trains on, loaded once; the race's training kit shares it (see <c>RaceTrainingData</c>).</summary>
    public DatasetBundle Data => _data;
    public OperationRegistry Operations => _operations;
    public Device Device => _device;

    /// <summary>The space whose networks it builds.</summary>
    public ISpaceProvider Space => _space;

    public NetworkSettings NetworkFor(TrainingSettings settings) =>
        new(settings.Channels, settings.CellsPerStage, _data.Train.Channels, _data.Train.Height, _data.Train.Classes);

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    ) => Task.Run(() => Evaluate(architecture, request, cancellation), cancellation);

    public EvaluationResult Evaluate(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation = default
    ) => Evaluate(architecture, request, 0, cancellation).Result;

    /// <summary>
    /// Evaluates as <see cref="Evaluate(Architecture, EvaluationRequest, CancellationToken)"/> does, then also measures
    /// accuracy on the first <paramref name="testImages"/> images of the held-out test set. For building tabular
    /// benchmarks only: test accuracy never reaches a strategy.
    /// </summary>
    public (EvaluationResult Result, double? TestAccuracy) Evaluate(
        Architecture architecture,
        EvaluationRequest request,
        int testImages,
        CancellationToken cancellation = default
    )
    {
        var settings = _settings.With(request.Fidelity);
        var clock = Stopwatch.StartNew();
        var fidelity = settings.ToFidelity();
        var curve = new List<EpochResult>();
        try
        {
            settings.Validate();
            var (trainIndices, validationIndices) = SearchSplit.Indices(_data.Train, settings, request.DataSeed);

            using var model = Build(architecture, settings, request.Seed);
            var cost = ModelCounter.Count(model, _data.Train.Channels, _data.Train.Height);
            var train = TensorLoader.Load(_data.Train, trainIndices, _device);
            using var trainImages = train.Images;
            using var trainLabels = train.Labels;
            var validation = TensorLoader.Load(_data.Train, validationIndices, _device);
            using var validationImages = validation.Images;
            using var validationLabels = validation.Labels;
            var start = StartFrom(request.Checkpoint, settings.Epochs);
            // Seconds on the curve count from the architecture's first epoch: a continuation adds its own to its parent's.
            double priorSeconds = start.Curve.Count > 0 ? start.Curve[^1].Seconds : 0;
            curve.AddRange(start.Curve);
            var training = Train(
                model,
                trainImages,
                trainLabels,
                settings,
                request.Seed,
                start,
                request.Checkpoint?.SaveTo,
                (epoch, trainingLoss) =>
                {
                    var (accuracy, loss) = Measure(model, validationImages, validationLabels);
                    curve.Add(
                        new EpochResult
                        {
                            Epoch = epoch,
                            ValidationAccuracy = accuracy,
                            ValidationLoss = loss,
                            TrainingLoss = trainingLoss,
                            Seconds = priorSeconds + clock.Elapsed.TotalSeconds,
                        }
                    );
                },
                cancellation
            );
            var metrics = new Metrics
            {
                Parameters = cost.Parameters,
                Flops = cost.Flops,
                TrainingLoss = training.LastEpochLoss,
            };
            if (training.DivergedAt is { } reason)
                return (
                    new EvaluationResult
                    {
                        Status = TrialStatus.Diverged,
                        Metrics = metrics,
                        CostSeconds = clock.Elapsed.TotalSeconds,
                        Fidelity = fidelity,
                        Message = reason,
                        Curve = curve,
                    },
                    null
                );

            var last = curve[^1];
            metrics = metrics with
            {
                ValidationAccuracy = last.ValidationAccuracy,
                ValidationLoss = last.ValidationLoss,
            };
            bool finite = double.IsFinite(last.ValidationLoss ?? double.NaN);
            if (finite && settings.Latency is { } latency)
                metrics = metrics with
                {
                    LatencyMs = LatencyMeter.MedianMilliseconds(
                        model,
                        _data.Train.Channels,
                        _data.Train.Height,
                        1,
                        latency
                    ),
                    LatencyMsBatch64 = LatencyMeter.MedianMilliseconds(
                        model,
                        _data.Train.Channels,
                        _data.Train.Height,
                        64,
                        latency
                    ),
                };
            // The cost is the search's cost (train + validate); measuring test accuracy for a table is not part of it.
            double seconds = clock.Elapsed.TotalSeconds;
            double? test = null;
            if (finite && testImages > 0)
            {
                int count = Math.Min(testImages, _data.Test.Count);
                var testSet = TensorLoader.Load(
                    _data.Test,
                    Enumerable.Range(0, count).ToArray(),
                    _device,
                    statistics: _data.Train
                );
                using var testX = testSet.Images;
                using var testY = testSet.Labels;
                test = Measure(model, testX, testY).Accuracy;
            }
            return (
                new EvaluationResult
                {
                    Status = finite ? TrialStatus.Ok : TrialStatus.Diverged,
                    Metrics = metrics,
                    CostSeconds = seconds,
                    Fidelity = fidelity,
                    Message = finite ? null : "validation loss is not finite",
                    Curve = curve,
                },
                test
            );
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            return (
                new EvaluationResult
                {
                    Status = TrialStatus.Failed,
                    Metrics = new Metrics(),
                    CostSeconds = clock.Elapsed.TotalSeconds,
                    Fidelity = fidelity,
                    Message = $"{e.GetType().Name}: {e.Message}",
                    Curve = curve,
                },
                null
            );
        }
    }

    /// <summary>Where training starts: epoch 0, or a whole checkpoint's epochs with its curve.</summary>
    private readonly record struct TrainingStart(int Epochs, string? Checkpoint, IReadOnlyList<EpochResult> Curve)
    {
        public static readonly TrainingStart Scratch = new(0, null, []);
    }

    /// <summary>
    /// A continuation starts from its checkpoint when the file is there (written whole, see
    /// <see cref="TrainingCheckpointFile"/>) and holds fewer epochs than asked; otherwise, e.g. after a resume on a
    /// fresh work folder, it trains from scratch and its cost says so.
    /// </summary>
    private static TrainingStart StartFrom(TrainingCheckpoint? checkpoint, int epochs) =>
        checkpoint is { ResumeFrom: { } path, ResumeEpochs: > 0 and var held }
        && held < epochs
        && File.Exists(path)
        && checkpoint.ResumeCurve.Count == held
            ? new TrainingStart(held, path, checkpoint.ResumeCurve)
            : TrainingStart.Scratch;

    /// <summary>What the space builds a network for at <paramref name="settings"/>' size, on this data.</summary>
    public NetworkShape ShapeFor(TrainingSettings settings) =>
        NetworkShapes.For(_data.Train, settings.Channels, settings.CellsPerStage, _operations);

    /// <summary>
    /// The space's network for <paramref name="architecture"/>, with weights initialised from <paramref name="seed"/>.
    /// A builder that throws is the trial's failure (the race validated the space before it started).
    /// </summary>
    public nn.Module<Tensor, Tensor> Build(Architecture architecture, TrainingSettings settings, long seed)
    {
        lock (Evaluation.TorchGenerator.Lock)
        {
            Evaluation.TorchRuntime.EnsureLoaded();
            manual_seed(seed);
            var shape = ShapeFor(settings);
            var model = ConvolutionCheck.Checked(
                _space.BuildNetwork(architecture, shape),
                shape,
                architecture.Key,
                trainsOn: _device
            );
            if (_device.type != TorchSharp.DeviceType.CPU)
                model.to(_device);
            return model;
        }
    }

    private readonly record struct TrainingOutcome(double? LastEpochLoss, string? DivergedAt);

    /// <summary>
    /// Trains from <paramref name="start"/>'s epochs up to <paramref name="settings"/>' epochs under a cosine schedule
    /// over <see cref="TrainingSettings.Horizon"/> epochs. A continuation replays the batch-order draws and schedule
    /// steps of the epochs it skips, then loads the weights and momentum: the run is the one it continues, step for step.
    /// <paramref name="epochDone"/> hears each finished epoch (1-based) and its mean training loss.
    /// </summary>
    private static TrainingOutcome Train(
        nn.Module<Tensor, Tensor> model,
        Tensor images,
        Tensor labels,
        TrainingSettings settings,
        long seed,
        TrainingStart start,
        string? saveTo,
        Action<int, double> epochDone,
        CancellationToken cancellation
    )
    {
        long count = images.shape[0];
        int batchesPerEpoch = (int)((count + settings.BatchSize - 1) / settings.BatchSize);
        // TorchSharp's SGD with its Scalars kept alive through each native call (KeptAlive.SGD says why).
        using var optimizer = new Nas.Sandbox.Core.Training.KeptAlive.SGD(
            model.parameters(),
            settings.LearningRate,
            settings.Momentum,
            settings.WeightDecay,
            settings.Nesterov
        );
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, settings.Horizon * batchesPerEpoch);
        var order = new Random(SeedMixer.ToInt32(seed));
        var permutation = new long[count];
        for (int epoch = 0; epoch < start.Epochs; epoch++)
        {
            Shuffle(order, permutation);
            for (int b = 0; b < batchesPerEpoch; b++)
                schedule.step();
        }
        if (start.Checkpoint is { } path)
            TrainingCheckpointFile.Load(path, model, optimizer);
        var parameters = model.parameters().ToArray();
        double? lastEpochLoss = null;
        for (int epoch = start.Epochs; epoch < settings.Epochs; epoch++)
        {
            model.train();
            Shuffle(order, permutation);
            using var permuted = tensor(permutation, device: images.device);
            using var epochImages = images.index_select(0, permuted);
            using var epochLabels = labels.index_select(0, permuted);
            double lossSum = 0;
            for (int b = 0; b < batchesPerEpoch; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long first = (long)b * settings.BatchSize,
                    length = Math.Min(settings.BatchSize, count - first);
                var x = epochImages.narrow(0, first, length);
                var y = epochLabels.narrow(0, first, length);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                double value = loss.item<float>();
                if (!double.IsFinite(value) || value > settings.DivergenceLoss)
                    return new TrainingOutcome(
                        lastEpochLoss,
                        $"training loss {value:G4} at epoch {epoch + 1}, batch {b + 1}"
                    );
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, settings.GradientClip);
                optimizer.step();
                schedule.step();
                lossSum += value * length;
            }
            lastEpochLoss = lossSum / count;
            epochDone(epoch + 1, lastEpochLoss.Value);
        }
        if (saveTo is not null)
            TrainingCheckpointFile.Save(saveTo, model, optimizer, settings.Epochs);
        return new TrainingOutcome(lastEpochLoss, null);
    }

    /// <summary>One epoch's batch order: the identity shuffled by <paramref name="order"/> (the same draws every run).</summary>
    private static void Shuffle(Random order, long[] permutation)
    {
        for (int i = 0; i < permutation.Length; i++)
            permutation[i] = i;
        order.Shuffle(permutation);
    }

    /// <summary>Median latency in ms at batch 1 and 64 of <paramref name="architecture"/>'s network at <paramref name="settings"/>' size (untrained: latency does not depend on weights).</summary>
    public (double Batch1, double Batch64) MeasureLatency(
        Architecture architecture,
        TrainingSettings settings,
        LatencySettings latency,
        long seed = 0
    )
    {
        using var model = Build(architecture, settings, seed);
        return (
            LatencyMeter.MedianMilliseconds(model, _data.Train.Channels, _data.Train.Height, 1, latency),
            LatencyMeter.MedianMilliseconds(model, _data.Train.Channels, _data.Train.Height, 64, latency)
        );
    }

    /// <summary>Accuracy (fraction) and mean cross-entropy of <paramref name="model"/> on the given images.</summary>
    public static (double Accuracy, double Loss) Measure(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.eval();
        using var _ = no_grad();
        long count = images.shape[0],
            correct = 0;
        double lossSum = 0;
        for (long start = 0; start < count; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(EvaluationBatch, count - start);
            var y = labels.narrow(0, start, length);
            var logits = model.call(images.narrow(0, start, length));
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return ((double)correct / count, lossSum / count);
    }
}
