using System.Text.RegularExpressions;

namespace Nas.Sandbox.Tests.Docs;

/// <summary>
/// A page of docs/reference/ read as the reference tests need it: its headings, and for each heading the section below
/// it (up to the next heading of the same or a higher level) with the code spans written there. Fenced code blocks are
/// skipped, so a <c>#</c> in an example is never taken for a heading.
/// </summary>
internal sealed partial class MarkdownReference
{
    private readonly string[] _lines;
    private readonly List<(int Index, int Level, string Title)> _headings = [];

    private MarkdownReference(string fileName)
    {
        Path = $"docs/reference/{fileName}";
        _lines = File.ReadAllLines(System.IO.Path.Combine(ScriptTestKit.RepoRoot, "docs", "reference", fileName));
        bool fenced = false;
        for (int i = 0; i < _lines.Length; i++)
        {
            if (_lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                fenced = !fenced;
            else if (!fenced && Heading().Match(_lines[i]) is { Success: true } m)
                _headings.Add((i, m.Groups[1].Length, m.Groups[2].Value.Replace("`", "").Trim()));
        }
    }

    /// <summary>The page's path in the repository (<c>docs/reference/NAME.md</c>), for messages.</summary>
    public string Path { get; }

    public static MarkdownReference Load(string fileName) => new(fileName);

    /// <summary>The section whose heading reads <paramref name="title"/> (backticks ignored); null when there is none.</summary>
    public MarkdownSection? Section(string title)
    {
        int at = _headings.FindIndex(h => h.Title == title);
        if (at < 0)
            return null;
        var (index, level, _) = _headings[at];
        int end = _lines.Length;
        for (int next = at + 1; next < _headings.Count; next++)
            if (_headings[next].Level <= level)
            {
                end = _headings[next].Index;
                break;
            }
        return new MarkdownSection(title, index + 1, _lines[(index + 1)..end]);
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}

/// <summary>
/// One section of a reference page: its heading's title and line (1-based), the code spans in its text, and the code
/// spans in the first cell of its table rows (what the rows document, as opposed to what the text mentions).
/// </summary>
internal sealed partial class MarkdownSection(string title, int line, IReadOnlyList<string> lines)
{
    public string Title { get; } = title;
    public int Line { get; } = line;
    public IReadOnlySet<string> CodeSpans { get; } = Spans(lines);
    public IReadOnlySet<string> RowKeys { get; } =
        Spans(lines.Where(l => l.TrimStart().StartsWith('|')).Select(FirstCell));

    /// <summary>A code span anywhere in the section is exactly <paramref name="name"/>.</summary>
    public bool Names(string name) => CodeSpans.Contains(name);

    /// <summary>
    /// A table row of the section documents <paramref name="name"/>: a code span in its first cell is the name, or the
    /// name followed by a space or an opening parenthesis (an option with its value, <c>--budget N</c>; a method with
    /// its parameters, <c>Create(...)</c>). A mere mention elsewhere in the text does not count.
    /// </summary>
    public bool HasRowFor(string name) =>
        RowKeys.Any(s =>
            s == name
            || s.StartsWith(name + " ", StringComparison.Ordinal)
            || s.StartsWith(name + "(", StringComparison.Ordinal)
        );

    private static HashSet<string> Spans(IEnumerable<string> text) =>
        text.SelectMany(l => CodeSpan().Matches(l).Select(m => m.Groups[1].Value.Trim()))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The first cell of a table row (<c>\|</c> is an escaped pipe, not a cell border).</summary>
    private static string FirstCell(string row)
    {
        string text = row.TrimStart()[1..];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
                i++;
            else if (text[i] == '|')
                return text[..i];
        }
        return text;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
