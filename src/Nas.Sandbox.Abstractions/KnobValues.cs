using System.Globalization;

namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Knob values given on the command line, over the defaults a factory declares. Only declared knobs exist: an unknown
/// one is refused when the values are built, and a value that does not parse is refused when read, naming the knob.
/// </summary>
public sealed class KnobValues
{
    private readonly Dictionary<string, string> _values;
    private readonly string _owner;

    private KnobValues(string owner, Dictionary<string, string> values)
    {
        _owner = owner;
        _values = values;
    }

    /// <summary>Defaults of <paramref name="knobs"/> overridden by <paramref name="given"/>.</summary>
    public static KnobValues Create(
        string owner,
        IReadOnlyList<Knob> knobs,
        IReadOnlyDictionary<string, string>? given = null
    )
    {
        var values = knobs.ToDictionary(k => k.Name, k => k.DefaultValue, StringComparer.Ordinal);
        foreach (var (name, value) in given ?? new Dictionary<string, string>())
        {
            if (!values.ContainsKey(name))
            {
                string known =
                    knobs.Count == 0
                        ? "it has no knobs"
                        : "known knobs: " + string.Join(", ", knobs.Select(k => k.Name));
                throw new KnobException($"'{owner}' has no knob '{name}' ({known}).");
            }
            values[name] = value;
        }
        return new KnobValues(owner, values);
    }

    public IReadOnlyDictionary<string, string> All => _values;

    public string GetString(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new KnobException($"'{_owner}' has no knob '{name}'.");

    public int GetInt(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string text = GetString(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new KnobException($"Knob '{name}' of '{_owner}' must be an integer, not '{text}'.");
        if (value < min || value > max)
            throw new KnobException($"Knob '{name}' of '{_owner}' must be between {min} and {max}, not {value}.");
        return value;
    }

    public double GetDouble(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        string text = GetString(name);
        if (
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || double.IsNaN(value)
        )
            throw new KnobException($"Knob '{name}' of '{_owner}' must be a number, not '{text}'.");
        if (value < min || value > max)
            throw new KnobException($"Knob '{name}' of '{_owner}' must be between {min} and {max}, not {value}.");
        return value;
    }

    /// <summary><c>true</c> or <c>false</c> (any case).</summary>
    public bool GetBool(string name)
    {
        string text = GetString(name);
        return text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new KnobException($"Knob '{name}' of '{_owner}' must be true or false, not '{text}'."),
        };
    }
}

/// <summary>An unknown knob or a knob value that does not parse.</summary>
public sealed class KnobException(string message) : ArgumentException(message);
