using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Model;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Estimators.ZeroCost;

/// <summary>
/// Prices an architecture with a zero-cost proxy: the network the training estimator would train, freshly initialised
/// from the request's seed, scored on one minibatch of search-train (the heat's split). No training: milliseconds
/// instead of seconds. The score goes in <see cref="Metrics.Score"/>, never in the accuracy.
/// </summary>
public sealed class ZeroCostEstimator(
    ZeroCostProxy proxy,
    TrainingEstimator network,
    DatasetBundle data,
    int batchSize = 64
) : IEstimator
{
    public string Name => proxy.Name;
    public ZeroCostProxy Proxy => proxy;

    public Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    ) => Task.Run(() => Evaluate(architecture, request), cancellation);

    public EvaluationResult Evaluate(Architecture architecture, EvaluationRequest request)
    {
        var clock = Stopwatch.StartNew();
        var settings = network.Settings.With(request.Fidelity);
        try
        {
            var split = DataSplit.Create(
                data.Train.Count,
                (int)Math.Round(data.Train.Count * settings.ValidationShare),
                request.DataSeed
            );
            using var model = network.Build(architecture, settings, request.Seed);
            var cost = ModelCounter.Count(model, data.Train.Channels, data.Train.Height);
            var device = model.parameters().First().device;
            var batch = TensorLoader.Load(
                data.Train,
                split.SearchTrain.AsSpan(0, Math.Min(batchSize, split.SearchTrain.Length)),
                device
            );
            using var images = batch.Images;
            using var labels = batch.Labels;
            // A hardware-aware race scores latency too, measured before the proxy (some proxies change the network's
            // weights or precision; its compute does not depend on its weights).
            (double Batch1, double Batch64)? latency = settings.Latency is { } l
                ? (
                    LatencyMeter.MedianMilliseconds(model, data.Train.Channels, data.Train.Height, 1, l),
                    LatencyMeter.MedianMilliseconds(model, data.Train.Channels, data.Train.Height, 64, l)
                )
                : null;
            double score = proxy.Score(model, images, labels);
            var metrics = new Metrics
            {
                Score = score,
                Parameters = cost.Parameters,
                Flops = cost.Flops,
                LatencyMs = latency?.Batch1,
                LatencyMsBatch64 = latency?.Batch64,
            };
            return new EvaluationResult
            {
                Status = double.IsFinite(score) ? TrialStatus.Ok : TrialStatus.Diverged,
                Metrics = metrics,
                CostSeconds = clock.Elapsed.TotalSeconds,
                Fidelity = settings.ToFidelity(),
                Message = double.IsFinite(score) ? null : $"{proxy.Name} score is not finite",
            };
        }
        catch (Exception e)
        {
            return new EvaluationResult
            {
                Status = TrialStatus.Failed,
                Metrics = new Metrics(),
                CostSeconds = clock.Elapsed.TotalSeconds,
                Fidelity = settings.ToFidelity(),
                Message = $"{e.GetType().Name}: {e.Message}",
            };
        }
    }
}
