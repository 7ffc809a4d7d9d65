using System.Globalization;

namespace Nas.Sandbox.Tui;

/// <summary>Fixed-width text for terminal columns; numbers in the invariant culture, accuracies as fractions.</summary>
internal static class TerminalText
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><paramref name="text"/> cut (ending in '…') or padded with spaces to exactly <paramref name="width"/> columns.</summary>
    public static string Fit(string text, int width)
    {
        if (width <= 0)
            return "";
        if (text.Length <= width)
            return text.PadRight(width);
        return width == 1 ? "…" : text[..(width - 1)] + "…";
    }

    public static string Right(string text, int width) => text.Length >= width ? Fit(text, width) : text.PadLeft(width);

    public static string Accuracy(double? value) => value is { } v ? v.ToString("0.0000", Invariant) : "-";

    public static string Seconds(double seconds) =>
        seconds switch
        {
            < 10 => seconds.ToString("0.0", Invariant) + "s",
            < 3600 => seconds.ToString("0", Invariant) + "s",
            _ => (seconds / 3600).ToString("0.0", Invariant) + "h",
        };

    public static string Clock(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span:mm\\:ss}" : span.ToString("mm\\:ss", Invariant);
    }

    /// <summary>Counts with SI suffixes: 12.3k params, 45.6M FLOPs.</summary>
    public static string Count(long? value) =>
        value switch
        {
            null => "-",
            >= 1_000_000_000 => (value.Value / 1e9).ToString("0.0", Invariant) + "G",
            >= 1_000_000 => (value.Value / 1e6).ToString("0.0", Invariant) + "M",
            >= 1_000 => (value.Value / 1e3).ToString("0.0", Invariant) + "k",
            _ => value.Value.ToString(Invariant),
        };

    /// <summary>
    /// A contestant as the screen names it: a script given by path shows as its file name (knobs kept), since the
    /// folder rarely fits and the detail panel's title and the journal keep the full label.
    /// </summary>
    public static string Name(string label)
    {
        int colon = label.IndexOf(':');
        string strategy = colon < 0 ? label : label[..colon];
        return strategy.IndexOfAny(['/', '\\']) < 0
            ? label
            : Path.GetFileName(strategy) + (colon < 0 ? "" : label[colon..]);
    }

    /// <summary>Breaks <paramref name="text"/> into lines of at most <paramref name="width"/> columns, at spaces where possible.</summary>
    public static IEnumerable<string> Wrap(string text, int width)
    {
        if (width <= 0)
            yield break;
        string rest = text;
        while (rest.Length > width)
        {
            int cut = rest.LastIndexOf(' ', width);
            if (cut <= width / 2)
                cut = width;
            yield return rest[..cut].TrimEnd();
            rest = "  " + rest[cut..].TrimStart();
        }
        yield return rest;
    }
}
