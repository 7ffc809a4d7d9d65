namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>
/// The reference point of a Pareto race, in the metrics' own units (accuracy a fraction, params and FLOPs in millions,
/// latency in ms), and where it came from. Hypervolumes are normalised: each component is mapped linearly so that the
/// reference is 0 and the ideal (accuracy 1, zero cost) is 1, so a hypervolume is the share of the box between the
/// reference and the ideal point that a front dominates, in [0, 1].
/// </summary>
public sealed record ParetoReference(
    IReadOnlyList<ObjectiveMetric> Components,
    IReadOnlyList<double> Raw,
    string Source
)
{
    /// <summary>
    /// The reference for <paramref name="objective"/>: values from <paramref name="given"/> (<c>--reference
    /// NAME=VALUE,...</c>), otherwise accuracy 0 and each cost at <paramref name="worstCost"/> (the worst in the table,
    /// or seen in the race), described by <paramref name="worstSource"/>.
    /// </summary>
    public static ParetoReference For(
        RaceObjective objective,
        IReadOnlyDictionary<string, double>? given,
        Func<ObjectiveMetric, double?> worstCost,
        string worstSource
    )
    {
        var raw = new double[objective.Components.Count];
        var sources = new List<string>();
        for (int i = 0; i < raw.Length; i++)
        {
            var metric = objective.Components[i];
            if (given is not null && given.TryGetValue(metric.Name, out double value))
                raw[i] = value;
            else if (!metric.IsCost)
                raw[i] = 0;
            else
            {
                raw[i] = worstCost(metric) ?? double.NaN;
                if (!sources.Contains(worstSource))
                    sources.Add(worstSource);
            }
        }
        string source = given is { Count: > 0 }
            ? sources.Count > 0
                ? $"--reference, other costs {string.Join(", ", sources)}"
                : "--reference"
            : string.Join(", ", sources);
        return new ParetoReference(objective.Components, raw, source.Length == 0 ? "accuracy 0" : source);
    }

    /// <summary>Parses <c>NAME=VALUE,...</c> for <paramref name="objective"/>; errors name the option and the bad part.</summary>
    public static IReadOnlyDictionary<string, double> Parse(
        string text,
        RaceObjective objective,
        string option = "--reference"
    )
    {
        if (!objective.IsPareto)
            throw new NasException($"{option} is for a Pareto race (--objective pareto:...), not '{objective.Text}'.");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var pairs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Given but naming nothing ('', ',') would silently mean the default reference: refused, like --operations ''.
        if (pairs.Length == 0)
            throw new NasException(
                $"{option} '{text}' gives no value: give NAME=VALUE,... (names: {Names(objective)}), or leave it out for the default."
            );
        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0)
                throw new NasException($"{option}: '{pair}' is not NAME=VALUE (names: {Names(objective)}).");
            string valueText = pair[(equals + 1)..].Trim();
            if (
                !double.TryParse(
                    valueText,
                    System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out double value
                )
            )
                value = double.NaN;
            Add(values, pair[..equals], value, valueText, objective, option);
        }
        return values;
    }

    /// <summary>
    /// A reference read from a file (a journal's <c>settings.reference</c>), held to the same rules as
    /// <c>--reference</c>; errors begin with <paramref name="where"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Check(
        IEnumerable<KeyValuePair<string, double>> given,
        RaceObjective objective,
        string where
    )
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in given)
            Add(
                values,
                name,
                value,
                value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                objective,
                where
            );
        return values;
    }

    private static string Names(RaceObjective objective) => string.Join(", ", objective.Components.Select(c => c.Name));

    private static void Add(
        Dictionary<string, double> values,
        string rawName,
        double value,
        string valueText,
        RaceObjective objective,
        string where
    )
    {
        string name = rawName.Trim().ToLowerInvariant();
        var metric = objective.Components.FirstOrDefault(c => c.Name == name)
            ?? throw new NasException(
                $"{where}: '{name}' is not a component of {objective.Text} (names: {Names(objective)})."
            );
        if (!double.IsFinite(value))
            throw new NasException($"{where}: '{valueText}' is not a number (for {name}).");
        if (metric.IsCost ? value <= 0 : value >= 1)
            throw new NasException(
                $"{where}: {name}={valueText} leaves nothing to dominate; "
                    + (metric.IsCost ? "a cost reference must be above 0." : "an accuracy reference must be below 1.")
            );
        if (!values.TryAdd(name, value))
            throw new NasException($"{where}: '{name}' is given twice.");
    }

    /// <summary>True when every component has a usable value (a race where nothing succeeded has no worst cost).</summary>
    public bool IsDefined =>
        Raw.All(double.IsFinite) && Components.Select((c, i) => c.IsCost ? Raw[i] > 0 : Raw[i] < 1).All(ok => ok);

    /// <summary>An objective vector (costs negated) mapped to the unit box: the reference at 0, the ideal at 1.</summary>
    public double[] Normalise(IReadOnlyList<double> vector)
    {
        var result = new double[vector.Count];
        for (int i = 0; i < result.Length; i++)
        {
            double reference = Components[i].ToVector(Raw[i]);
            result[i] = (vector[i] - reference) / (Components[i].Ideal - reference);
        }
        return result;
    }

    /// <summary>The normalised hypervolume of <paramref name="front"/> (objective vectors), in [0, 1]; null when the reference is undefined.</summary>
    public double? HypervolumeOf(IEnumerable<IReadOnlyList<double>> front) =>
        IsDefined
            ? Hypervolume.Of(
                front.Select(p => (IReadOnlyList<double>)Normalise(p)).ToArray(),
                new double[Components.Count]
            )
            : null;

    public override string ToString() =>
        string.Join(", ", Components.Select((c, i) => $"{c.Name} {(double.IsFinite(Raw[i]) ? c.Format(Raw[i]) : "?")}"))
        + $" ({Source})";
}
