using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>
/// A metric an objective can use, in the unit <c>--objective</c> and <c>--reference</c> state it in: accuracy as a
/// fraction, params and FLOPs in millions, latencies in milliseconds. A cost is minimised; accuracy is maximised.
/// </summary>
public sealed record ObjectiveMetric(
    string Name,
    string Unit,
    bool IsCost,
    string Description,
    Func<Metrics, double?> Read
)
{
    public static readonly ObjectiveMetric Accuracy = new(
        "accuracy",
        "",
        false,
        "validation accuracy, a fraction (a zero-cost proxy's score when the estimator measures no accuracy)",
        m => m.ValidationAccuracy ?? m.Score
    );
    public static readonly ObjectiveMetric Parameters = new("params", "M", true, "parameters, in millions", m =>
        m.Parameters / 1e6
    );
    public static readonly ObjectiveMetric Flops = new("flops", "MFLOPs", true, "FLOPs of one image, in millions", m =>
        m.Flops / 1e6
    );
    public static readonly ObjectiveMetric Latency1 = new(
        "latency1",
        "ms",
        true,
        "median forward latency at batch 1, in ms",
        m => m.LatencyMs
    );
    public static readonly ObjectiveMetric Latency64 = new(
        "latency64",
        "ms",
        true,
        "median forward latency at batch 64, in ms",
        m => m.LatencyMsBatch64
    );

    public static readonly IReadOnlyList<ObjectiveMetric> All = [Accuracy, Parameters, Flops, Latency1, Latency64];

    public bool IsLatency => this == Latency1 || this == Latency64;

    /// <summary>The best value a component can take, in the objective vector's sign (costs negated): 1 for accuracy, 0 cost.</summary>
    public double Ideal => IsCost ? 0 : 1;

    /// <summary>The metric's value in the objective vector, where every component is maximised.</summary>
    public double ToVector(double raw) => IsCost ? 0.0 - raw : raw; // 0 − x, not −x: a zero cost stays +0, never "-0" in files

    public double FromVector(double value) => IsCost ? 0.0 - value : value;

    public string Format(double raw) =>
        Unit.Length == 0
            ? raw.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)
            : $"{raw.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} {Unit}";

    public static string Names => string.Join(", ", All.Select(m => m.Name));
}
