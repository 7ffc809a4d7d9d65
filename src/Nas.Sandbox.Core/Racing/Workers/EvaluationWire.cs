using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Workers;

/// <summary>
/// How an evaluation travels between the race and a worker process: the architecture (its key and choices, so the worker
/// needs no space to rebuild it), the request's seeds and fidelity, and the estimator's result. Numbers are written
/// round-trip exact, so a result computed in a worker is the result the race journals.
/// </summary>
internal static class EvaluationWire
{
    public static JObject Request(Architecture architecture, EvaluationRequest request) =>
        new()
        {
            ["op"] = "evaluate",
            ["key"] = architecture.Key,
            ["choices"] = new JArray(architecture.Choices),
            ["seed"] = request.Seed,
            ["dataSeed"] = request.DataSeed,
            ["fidelity"] = JObject.FromObject(request.Fidelity, JournalFormat.Serializer),
            ["checkpoint"] = request.Checkpoint is { } checkpoint
                ? new JObject
                {
                    ["saveTo"] = checkpoint.SaveTo,
                    ["resumeFrom"] = checkpoint.ResumeFrom,
                    ["resumeEpochs"] = checkpoint.ResumeEpochs,
                    ["resumeCurve"] = new JArray(checkpoint.ResumeCurve.Select(JournalFormat.CurvePoint)),
                }
                : null,
        };

    public static (Architecture Architecture, EvaluationRequest Request) ParseRequest(JObject message) =>
        (
            new Architecture((string)message["key"]!, ((JArray)message["choices"]!).Select(c => (string)c!).ToArray()),
            new EvaluationRequest
            {
                Seed = (long)message["seed"]!,
                DataSeed = (long)message["dataSeed"]!,
                Fidelity = message["fidelity"]?.ToObject<Fidelity>(JournalFormat.Serializer) ?? new Fidelity(),
                Checkpoint = message["checkpoint"] is JObject checkpoint
                    ? new TrainingCheckpoint
                    {
                        SaveTo = (string?)checkpoint["saveTo"],
                        ResumeFrom = (string?)checkpoint["resumeFrom"],
                        ResumeEpochs = (int?)checkpoint["resumeEpochs"] ?? 0,
                        ResumeCurve = Curve(checkpoint["resumeCurve"]),
                    }
                    : null,
            }
        );

    public static JObject Result(EvaluationResult result) =>
        new()
        {
            ["ok"] = true,
            ["status"] = result.Status.ToString(),
            ["metrics"] = JObject.FromObject(result.Metrics, JournalFormat.Serializer),
            ["cost"] = result.CostSeconds,
            ["fidelity"] = JObject.FromObject(result.Fidelity, JournalFormat.Serializer),
            ["message"] = result.Message,
            ["curve"] = new JArray(result.Curve.Select(JournalFormat.CurvePoint)),
        };

    public static EvaluationResult ParseResult(JObject reply) =>
        new()
        {
            Status = Enum.Parse<TrialStatus>((string)reply["status"]!),
            Metrics = reply["metrics"]!.ToObject<Metrics>(JournalFormat.Serializer)!,
            CostSeconds = (double)reply["cost"]!,
            Fidelity = reply["fidelity"]!.ToObject<Fidelity>(JournalFormat.Serializer)!,
            Message = (string?)reply["message"],
            Curve = Curve(reply["curve"]),
        };

    private static EpochResult[] Curve(JToken? points) =>
        (points as JArray)?.Select(JournalFormat.ParseCurvePoint).ToArray() ?? [];
}
