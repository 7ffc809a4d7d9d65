using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Newtonsoft.Json;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Training;

/// <summary>One epoch of a full training run: training loss, validation accuracy and loss, seconds since the start.</summary>
public sealed record TrainingEpoch(
    int Epoch,
    double TrainingLoss,
    double ValidationAccuracy,
    double ValidationLoss,
    double Seconds
);

/// <summary>Where a run is: epoch (1-based) and batch of how many; the caller draws a progress bar from it.</summary>
public readonly record struct TrainingProgress(long Seed, int Epoch, int Epochs, int Batch, int Batches, double Loss);

/// <summary>One seed's outcome: its curve, its test accuracy, the folder its model was exported to.</summary>
public sealed record SeedResult(long Seed, IReadOnlyList<TrainingEpoch> Curve, double TestAccuracy, string Folder);

/// <summary>
/// Trains one architecture at full fidelity (<see cref="FullTrainingSettings"/>) for one seed into a folder: after each
/// epoch it writes <c>curve.json</c> and a checkpoint (weights, batch-norm statistics, momentum; see
/// <see cref="TrainingCheckpointFile"/>), so a killed run started again with the same folder continues at the epoch
/// after the last whole one. At the end it measures accuracy on the whole official test set and exports the model
/// (<see cref="ExportedModel"/>). A resumed run equals an uninterrupted one: each epoch's batch order and augmentation
/// come from (seed, epoch), and the cosine schedule is stepped to where it was. The network is
/// <paramref name="provider"/>'s for an architecture of <paramref name="space"/> (by default an NB201 cell of any
/// operation of <paramref name="operations"/>); the export records the space so that it can be rebuilt.
/// </summary>
public sealed class FullTrainer(
    DatasetBundle data,
    FullTrainingSettings settings,
    OperationRegistry operations,
    ISpaceProvider? provider = null,
    ISearchSpace? space = null
)
{
    private readonly ISpaceProvider _provider = provider ?? new Spaces.Nb201SpaceProvider();
    private readonly ISearchSpace _space = space ?? new Spaces.Nb201Space(operations.Names);

    private const string CheckpointFile = "checkpoint.bin",
        CurveFile = "curve.json",
        ResultFile = "result.json";

    /// <summary>Indices of the official training set: the split's training part (cut to the asked count) and validation part.</summary>
    public (int[] Train, int[] Validation) Split()
    {
        if (settings.ValidationImages >= data.Train.Count)
            throw new NasException(
                $"--validation-images {settings.ValidationImages} leaves no training image of the {data.Train.Count} in {data.Train.Name}."
            );
        var split = DataSplit.Create(data.Train.Count, settings.ValidationImages, settings.SplitSeed);
        // More than there are is an error, not a silent "all of them": the header, the progress bar's rate and a
        // benchmark's images/s would all count images that were never trained on.
        if (settings.TrainingImages is { } asked && asked > split.SearchTrain.Length)
            throw new NasException(
                $"--train-images {asked}: {data.Train.Name} has {split.SearchTrain.Length} training images besides the {settings.ValidationImages} held out for validation."
            );
        var train = settings.TrainingImages is { } n ? split.SearchTrain[..n] : split.SearchTrain;
        return (train, split.SearchValidation);
    }

    /// <summary>
    /// Builds <paramref name="architecture"/>'s network once and refuses it (<see cref="NasException"/> naming the
    /// layer) if libtorch would miscompute one of its convolutions (<see cref="ConvolutionCheck"/>). Called before
    /// anything is written to the output folder, so that a refused network leaves nothing behind that would refuse the
    /// corrected command as another run.
    /// </summary>
    public void CheckNetwork(Architecture architecture)
    {
        var shape = NetworkShapes.For(data.Train, settings.Channels, settings.CellsPerStage, operations);
        lock (Evaluation.TorchGenerator.Lock)
        {
            using var model = ConvolutionCheck.Checked(
                _provider.BuildNetwork(architecture, shape),
                shape,
                architecture.Key
            );
        }
    }

    public SeedResult Train(
        Architecture architecture,
        long seed,
        string folder,
        Action<TrainingProgress>? progress,
        Action<string>? notice,
        CancellationToken cancellation
    )
    {
        settings.Validate();
        Directory.CreateDirectory(folder);
        string resultPath = Path.Combine(folder, ResultFile);
        if (File.Exists(resultPath))
        {
            var done = JsonConvert.DeserializeObject<SeedResult>(File.ReadAllText(resultPath))!;
            notice?.Invoke($"seed {seed}: already trained ({resultPath}); kept.");
            return done with { Folder = folder };
        }
        var (trainIndices, validationIndices) = Split();
        var batches = new TrainingBatches(data.Train, trainIndices, settings);
        var shape = NetworkShapes.For(data.Train, settings.Channels, settings.CellsPerStage, operations);
        nn.Module<Tensor, Tensor> model;
        lock (Evaluation.TorchGenerator.Lock)
        {
            manual_seed(seed);
            model = ConvolutionCheck.Checked(_provider.BuildNetwork(architecture, shape), shape, architecture.Key);
        }
        using var _ = model;
        // TorchSharp's SGD with its Scalars kept alive through each native call (KeptAlive.SGD says why).
        using var optimizer = new KeptAlive.SGD(
            model.parameters(),
            settings.LearningRate,
            settings.Momentum,
            settings.WeightDecay,
            true
        );
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, settings.Epochs * batches.BatchesPerEpoch);

        string checkpoint = Path.Combine(folder, CheckpointFile),
            curvePath = Path.Combine(folder, CurveFile);
        var curve = new List<TrainingEpoch>();
        int start = 0;
        if (File.Exists(checkpoint))
        {
            start = TrainingCheckpointFile.Epochs(checkpoint);
            // The schedule first, then the optimiser's state, as the training estimator continues: TorchSharp's cosine
            // schedule computes each rate from the last one, so it must be stepped to where it was before the state
            // (which holds the rate it had reached) is loaded over it.
            for (int s = 0; s < start * batches.BatchesPerEpoch; s++)
                schedule.step();
            TrainingCheckpointFile.Load(checkpoint, model, optimizer);
            var saved = File.Exists(curvePath)
                ? JsonConvert.DeserializeObject<List<TrainingEpoch>>(File.ReadAllText(curvePath)) ?? []
                : [];
            if (start > settings.Epochs || saved.Count < start)
                throw new NasException(
                    $"{checkpoint}: holds {start} epoch(s) but {curvePath} {saved.Count} and this run asks {settings.Epochs}: "
                        + "it is another run's; give another --output or delete the folder."
                );
            curve.AddRange(saved.Take(start));
            notice?.Invoke($"seed {seed}: resuming after epoch {start} from {checkpoint}.");
        }

        var validation = TensorLoader.Load(data.Train, validationIndices, CPU);
        using var validationImages = validation.Images;
        using var validationLabels = validation.Labels;
        double priorSeconds = curve.Count > 0 ? curve[^1].Seconds : 0;
        var clock = Stopwatch.StartNew();
        var parameters = model.parameters().ToArray();
        for (int epoch = start; epoch < settings.Epochs; epoch++)
        {
            model.train();
            double lossSum = 0;
            int batch = 0;
            foreach (var (images, labels) in batches.Epoch(seed, epoch))
            {
                using var batchImages = images; // made outside the batch's scope: disposed here
                using var batchLabels = labels;
                using var scope = NewDisposeScope();
                cancellation.ThrowIfCancellationRequested();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(images), labels);
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new NasException(
                        $"seed {seed}: the training loss is {value} at epoch {epoch + 1}, batch {batch + 1}: the run diverged (try a lower --lr)."
                    );
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, settings.GradientClip);
                optimizer.step();
                schedule.step();
                lossSum += value * images.shape[0];
                batch++;
                progress?.Invoke(
                    new TrainingProgress(seed, epoch + 1, settings.Epochs, batch, batches.BatchesPerEpoch, value)
                );
            }
            var (accuracy, validationLoss) = TrainingEstimator.Measure(model, validationImages, validationLabels);
            curve.Add(
                new TrainingEpoch(
                    epoch + 1,
                    lossSum / batches.Count,
                    accuracy,
                    validationLoss,
                    priorSeconds + clock.Elapsed.TotalSeconds
                )
            );
            // The curve first, then the checkpoint: a kill between them leaves a curve one epoch ahead, which the
            // resume cuts back to the checkpoint's epochs.
            WriteWhole(curvePath, JsonConvert.SerializeObject(curve, Formatting.Indented));
            TrainingCheckpointFile.Save(checkpoint, model, optimizer, epoch + 1);
        }

        var test = TensorLoader.Load(
            data.Test,
            Enumerable.Range(0, data.Test.Count).ToArray(),
            CPU,
            statistics: data.Train
        );
        using var testImages = test.Images;
        using var testLabels = test.Labels;
        double testAccuracy = TrainingEstimator.Measure(model, testImages, testLabels).Accuracy;
        new ExportedModel(
            _space.Name,
            _space.Operations,
            architecture.Key,
            settings.Channels,
            settings.CellsPerStage,
            data.Train.Channels,
            data.Train.Height,
            data.Train.Classes,
            data.Train.ChannelMean,
            data.Train.ChannelStd
        ).Save(folder, model);
        var result = new SeedResult(seed, curve, testAccuracy, folder);
        WriteWhole(resultPath, JsonConvert.SerializeObject(result with { Folder = "." }, Formatting.Indented));
        File.Delete(checkpoint); // the exported model holds the weights; momentum is no longer needed
        return result;
    }

    private static void WriteWhole(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
