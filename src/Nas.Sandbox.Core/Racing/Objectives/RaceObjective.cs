using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>
/// What a race maximises (<c>--objective</c>): validation accuracy (the default), a scalarised objective such as
/// <c>accuracy-0.5*params</c> (a sum of <c>[±][WEIGHT*]METRIC</c> terms, in the units of <see cref="ObjectiveMetric"/>),
/// or a Pareto front of 2 or 3 metrics such as <c>pareto:accuracy,params</c>. The referee turns each ok trial's metrics
/// into <see cref="Trial.Objective"/> (and <see cref="Trial.Objectives"/> in a Pareto race) with <see cref="Evaluate"/>.
/// </summary>
public sealed class RaceObjective
{
    private const string ParetoPrefix = "pareto:";

    private RaceObjective(
        string text,
        IReadOnlyList<(double Weight, ObjectiveMetric Metric)> terms,
        IReadOnlyList<ObjectiveMetric> components,
        bool pareto
    )
    {
        (Text, Terms, Components, IsPareto) = (text, terms, components, pareto);
        Description = new ObjectiveDescription(
            text,
            pareto ? components.Select(c => c.IsCost ? "-" + c.Name : c.Name).ToArray() : [text],
            pareto
        );
    }

    public static readonly RaceObjective Accuracy = new("accuracy", [(1, ObjectiveMetric.Accuracy)], [], false);

    /// <summary>The text as given (whitespace removed).</summary>
    public string Text { get; }
    public bool IsPareto { get; }

    /// <summary>The weighted terms of a scalarised objective (empty in a Pareto race).</summary>
    public IReadOnlyList<(double Weight, ObjectiveMetric Metric)> Terms { get; }

    /// <summary>The components of a Pareto objective, in order (empty in a scalar race).</summary>
    public IReadOnlyList<ObjectiveMetric> Components { get; }
    public ObjectiveDescription Description { get; }

    /// <summary>True for the default race: plain validation accuracy.</summary>
    public bool IsAccuracy => !IsPareto && Terms.Count == 1 && Terms[0] is (1, var m) && m == ObjectiveMetric.Accuracy;

    /// <summary>Every metric the objective reads.</summary>
    public IReadOnlyList<ObjectiveMetric> Metrics =>
        (IsPareto ? Components : Terms.Select(t => t.Metric)).Distinct().ToArray();

    public bool Needs(ObjectiveMetric metric) => Metrics.Contains(metric);

    /// <summary>
    /// The objective of an ok trial's metrics: the scalar (in a Pareto race, the first component) and, in a Pareto race,
    /// the vector with costs negated. <c>Missing</c> names the first metric the estimator did not report (then both are null).
    /// </summary>
    public (double? Objective, double[]? Objectives, ObjectiveMetric? Missing) Evaluate(Metrics metrics)
    {
        if (IsPareto)
        {
            var vector = new double[Components.Count];
            for (int i = 0; i < vector.Length; i++)
            {
                if (Components[i].Read(metrics) is not { } raw)
                    return (null, null, Components[i]);
                vector[i] = Components[i].ToVector(raw);
            }
            return (vector[0], vector, null);
        }
        double sum = 0;
        foreach (var (weight, metric) in Terms)
        {
            if (metric.Read(metrics) is not { } raw)
                return (null, null, metric);
            sum += weight * raw;
        }
        return (sum, null, null);
    }

    /// <summary>Parses <paramref name="text"/>; a <see cref="NasException"/> names <paramref name="option"/> and the bad part.</summary>
    public static RaceObjective Parse(string? text, string option = "--objective")
    {
        string compact = string.Concat((text ?? "").Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
        if (compact.Length == 0)
            throw new NasException(
                $"{option} is empty; use accuracy, a sum like accuracy-0.5*params, or pareto:accuracy,params."
            );
        if (compact.StartsWith(ParetoPrefix, StringComparison.Ordinal))
            return ParsePareto(compact, option);
        // Spaces may separate tokens (accuracy - 0.5 * params) but not join two terms without an operator.
        var scalar = ParseScalar(text!.Trim().ToLowerInvariant(), option);
        return new RaceObjective(compact, scalar.Terms, [], pareto: false);
    }

    private static RaceObjective ParsePareto(string text, string option)
    {
        var names = text[ParetoPrefix.Length..].Split(',');
        var components = new List<ObjectiveMetric>();
        foreach (string name in names)
        {
            var metric = Find(name)
                ?? throw new NasException(
                    $"{option} '{text}': {(name.Length == 0 ? "an empty component" : $"unknown metric '{name}'")}; the metrics are {ObjectiveMetric.Names}."
                );
            if (components.Contains(metric))
                throw new NasException($"{option} '{text}': '{name}' appears twice.");
            components.Add(metric);
        }
        if (components.Count is < 2 or > 3)
            throw new NasException(
                $"{option} '{text}': a Pareto objective has 2 or 3 components, not {components.Count} (e.g. pareto:accuracy,params)."
            );
        return new RaceObjective(text, [], components, pareto: true);
    }

    /// <summary>A sum of terms <c>[+|-][NUMBER*]METRIC</c> or <c>[+|-]METRIC*NUMBER</c>.</summary>
    private static RaceObjective ParseScalar(string text, string option)
    {
        var terms = new List<(double, ObjectiveMetric)>();
        int position = 0;
        while (Skip(ref position) < text.Length)
        {
            int start = position;
            double sign = 1;
            if (text[position] is '+' or '-')
                sign = text[position++] == '-' ? -1 : 1;
            else if (terms.Count > 0)
                throw Error($"expected + or - at position {position}");
            double weight = 1;
            if (Skip(ref position) < text.Length && (char.IsDigit(text[position]) || text[position] == '.'))
            {
                weight = Number(ref position);
                if (Skip(ref position) >= text.Length || text[position] != '*')
                    throw Error($"expected * after the weight at position {position}");
                position++;
                Skip(ref position);
            }
            string name = Name(ref position);
            var metric = Find(name)
                ?? throw Error(
                    name.Length == 0
                        ? $"expected a metric at position {position}; the metrics are {ObjectiveMetric.Names}"
                        : $"unknown metric '{name}'; the metrics are {ObjectiveMetric.Names}"
                );
            if (Skip(ref position) < text.Length && text[position] == '*')
            {
                position++;
                if (weight != 1)
                    throw Error($"two weights for '{name}'");
                Skip(ref position);
                weight = Number(ref position);
            }
            if (terms.Any(t => t.Item2 == metric))
                throw Error($"'{name}' appears twice");
            if (!double.IsFinite(weight))
                throw Error($"the weight of '{name}' is not finite");
            terms.Add((sign * weight, metric));
            if (position == start)
                throw Error($"unexpected '{text[position]}' at position {position}");
        }
        return new RaceObjective(text, terms, [], pareto: false);

        NasException Error(string what) =>
            new(
                $"{option} '{text}': {what}. Write accuracy, a sum like accuracy-0.5*params, or pareto:accuracy,params."
            );

        int Skip(ref int p)
        {
            while (p < text.Length && char.IsWhiteSpace(text[p]))
                p++;
            return p;
        }

        // A metric name starts with a letter; digits may follow (latency1, latency64).
        string Name(ref int p)
        {
            int begin = p;
            if (p < text.Length && char.IsLetter(text[p]))
                while (p < text.Length && (char.IsLetterOrDigit(text[p]) || text[p] == '_'))
                    p++;
            return text[begin..p];
        }

        double Number(ref int p)
        {
            int begin = p;
            while (
                p < text.Length
                && (
                    char.IsDigit(text[p])
                    || text[p] == '.'
                    || text[p] is 'e' && p + 1 < text.Length && (char.IsDigit(text[p + 1]) || text[p + 1] is '+' or '-')
                    || text[p] is '+' or '-' && p > begin && text[p - 1] == 'e'
                )
            )
                p++;
            string number = text[begin..p];
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw Error($"'{number}' at position {begin} is not a number");
        }
    }

    private static ObjectiveMetric? Find(string name) => ObjectiveMetric.All.FirstOrDefault(m => m.Name == name);

    public override string ToString() => Text;
}
