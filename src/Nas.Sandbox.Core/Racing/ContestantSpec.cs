namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// A contestant as given on the command line: <c>NAME[:knob=value,...]</c>, e.g.
/// <c>regularized-evolution:population=10,sample=3</c>. Its <see cref="Label"/> is the text as given (normalised), so
/// two settings of one strategy race under different labels.
/// </summary>
public sealed record ContestantSpec(string Strategy, IReadOnlyDictionary<string, string> Knobs)
{
    private readonly string? _label;

    /// <summary>
    /// The contestant's name in the race: the text as given, unless set (a resumed race loads a script from the path
    /// its journal recorded, under the label it raced with).
    /// </summary>
    public string Label
    {
        get =>
            _label
            ?? (
                Knobs.Count == 0 ? Strategy : $"{Strategy}:{string.Join(",", Knobs.Select(k => $"{k.Key}={k.Value}"))}"
            );
        init => _label = value;
    }

    public static ContestantSpec Parse(string text) => Parse(text, null);

    /// <summary>
    /// As <see cref="Parse(string)"/>; errors name <paramref name="where"/> (a journal's "FILE(LINE)") instead of
    /// --strategy when the text comes from a file.
    /// </summary>
    public static ContestantSpec Parse(string text, string? where)
    {
        string what = where is null ? $"--strategy '{text}'" : $"{where}: contestant '{text}'";
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
            throw new NasException(
                where is null ? "--strategy: empty contestant name." : $"{where}: empty contestant name."
            );
        int colon = trimmed.IndexOf(':');
        if (colon < 0)
            return new ContestantSpec(trimmed, new Dictionary<string, string>());
        string name = trimmed[..colon].Trim();
        if (name.Length == 0)
            throw new NasException($"{what}: the strategy name before ':' is missing.");
        var knobs = new Dictionary<string, string>(StringComparer.Ordinal);
        // NAME: with nothing after it is a knob list the user meant to type: refused rather than raced on the defaults.
        if (trimmed[(colon + 1)..].Trim(' ', ',').Length == 0)
            throw new NasException(
                $"{what}: no knob=value after ':' (nas list shows {name}'s knobs); drop the ':' to race the defaults."
            );
        foreach (string pair in trimmed[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0 || equals == pair.Length - 1)
                throw new NasException($"{what}: '{pair.Trim()}' is not knob=value.");
            string key = pair[..equals].Trim();
            if (!knobs.TryAdd(key, pair[(equals + 1)..].Trim()))
                throw new NasException($"{what}: knob '{key}' is given twice.");
        }
        return new ContestantSpec(name, knobs);
    }
}
