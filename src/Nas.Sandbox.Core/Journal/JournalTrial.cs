using Nas.Sandbox.Abstractions;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>A journaled trial line read back into the <see cref="Trial"/> it recorded (for resume).</summary>
public static class JournalTrial
{
    /// <param name="started">A trial-started line: only its index and architecture (the rest is not known yet).</param>
    public static Trial Parse(JObject line, ISearchSpace space, string where, bool started = false)
    {
        try
        {
            if (started)
                return new Trial
                {
                    Index = (int)line["index"]!,
                    Architecture = space.Parse((string)line["arch"]!),
                    Status = TrialStatus.Ok,
                    Metrics = new Metrics(),
                    CostSeconds = 0,
                    Rung = (int?)line["rung"],
                    Continues = (int?)line["continues"],
                };
            var metrics = line["metrics"] as JObject ?? [];
            var fidelity = line["fidelity"] as JObject ?? [];
            return new Trial
            {
                Index = (int)line["index"]!,
                Architecture = space.Parse((string)line["arch"]!),
                Status = (string?)line["status"] switch
                {
                    "ok" => TrialStatus.Ok,
                    "failed" => TrialStatus.Failed,
                    "diverged" => TrialStatus.Diverged,
                    "timed-out" => TrialStatus.TimedOut,
                    var other => throw new FormatException($"unknown status '{other}'"),
                },
                Metrics = new Metrics
                {
                    ValidationAccuracy = (double?)metrics["validationAccuracy"],
                    ValidationLoss = (double?)metrics["loss"],
                    TrainingLoss = (double?)metrics["trainingLoss"],
                    Parameters = (long?)metrics["params"],
                    Flops = (long?)metrics["flops"],
                    LatencyMs = (double?)metrics["latencyMs"],
                    LatencyMsBatch64 = (double?)metrics["latencyMsBatch64"],
                    Score = (double?)metrics["score"],
                },
                CostSeconds = (double)line["cost"]!,
                Fidelity = new Fidelity
                {
                    Epochs = (double?)fidelity["epochs"],
                    TrainingImages = (int?)fidelity["trainingImages"],
                    Channels = (int?)fidelity["channels"],
                    CellsPerStage = (int?)fidelity["cellsPerStage"],
                    BatchSize = (int?)fidelity["batchSize"],
                },
                FromCache = (bool?)line["cached"] ?? false,
                Message = (string?)line["message"],
                Objective = (double?)line["objective"],
                Objectives = (line["objectives"] as JArray)?.Select(v => (double)v).ToArray(),
                Rung = (int?)line["rung"],
                Continues = (int?)line["continues"],
                Curve = (line["curve"] as JArray)?.Select(JournalFormat.ParseCurvePoint).ToArray() ?? [],
            };
        }
        catch (Exception e)
            when (e
                    is FormatException
                        or InvalidCastException
                        or ArgumentException
                        or NullReferenceException
                        or ArchitectureFormatException
            )
        {
            throw new NasException($"{where}: not a trial this race can resume from: {e.Message}");
        }
    }
}
