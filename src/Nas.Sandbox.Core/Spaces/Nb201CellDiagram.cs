using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// Draws a NAS-Bench-201 cell as a small text picture (6 lines) for the terminal UI and for Markdown reports (inside a
/// code block): the four nodes on one line, the chain edges 0→1, 1→2, 2→3 along that line, the skip edges as arcs —
/// 0→3 and 0→2 above (nested), 1→3 below — each edge labelled with its operation and ending in an arrowhead that points
/// into its target node:
/// <code>
/// ┌────────────────────── avg_pool_3x3 ──────────────────────┐
/// │ ┌────────── skip_connect ──────────┐                     │
/// │ │                                  ▼                     ▼
/// (0)── nor_conv_3x3 ──►(1)╌╌ none ╌╌▻(2)── skip_connect ──►(3)
///                        │                                   ▲
///                        └────────── nor_conv_1x1 ───────────┘
/// </code>
/// An edge whose operation is <c>none</c> carries nothing (its output is zero), yet it is still drawn and labelled so
/// that every edge of the cell stays visible: with a dashed line (╌ ╎) and a hollow arrowhead (▻ ▽ △) instead of the
/// solid line (─ │) and solid arrowhead (► ▼ ▲) of an edge that carries data.
/// <para>
/// Every line has the same width (padded on the right with spaces), counted one column per character: box-drawing
/// characters and geometric arrows are single-width in monospace terminal fonts; operation names are expected to be
/// narrow (ASCII) text, and control characters in them are shown as '?'.
/// </para>
/// <para>
/// When the natural picture is wider than <c>maxWidth</c>, it is narrowed in this fixed order, stopping at the first
/// step that fits: (1) less padding around the labels; (2) names longer than the longest known operation name (12
/// characters) are shortened to it; (3) the known operations are abbreviated (<c>nor_conv_3x3</c> → <c>conv3x3</c>,
/// <c>skip_connect</c> → <c>skip</c>, <c>avg_pool_3x3</c> → <c>avgpool</c>, ...), other names shortened to at most 7
/// characters; (4) the known operations get compact codes (<c>c3x3</c>, <c>c1x1</c>, <c>skip</c>, <c>avg</c>, ...),
/// other names at most 4 characters. A name is shortened by keeping its start and its end around a '…' (so that
/// <c>sep_conv_7x7</c> becomes <c>sep…7x7</c>, still telling the kernel size), one character at a time, longest names
/// first. Labels never overlap lines or each other: the edges make room for their labels. Below the width of that last
/// picture (at most 39 columns) the cell is drawn as a list of its six edges instead (<c>0─►1 nor_conv_3x3</c>, ...),
/// with names shortened the same way as far as needed; below 6 columns the lines are cut.
/// </para>
/// </summary>
public static class Nb201CellDiagram
{
    /// <summary>Lines of every picture, graph or list.</summary>
    public const int Height = 6;

    private const int NodeWidth = 3;
    private const int RoomyMargin = 2,
        TightMargin = 1;

    // Known operations: full name → (abbreviation, compact code).
    private static readonly Dictionary<string, (string Abbreviation, string Code)> Known = new(StringComparer.Ordinal)
    {
        ["none"] = ("none", "none"),
        ["skip_connect"] = ("skip", "skip"),
        ["nor_conv_1x1"] = ("conv1x1", "c1x1"),
        ["nor_conv_3x3"] = ("conv3x3", "c3x3"),
        ["avg_pool_3x3"] = ("avgpool", "avg"),
        ["max_pool_3x3"] = ("maxpool", "max"),
        ["dil_conv_3x3"] = ("dil3x3", "d3x3"),
        ["dil_conv_5x5"] = ("dil5x5", "d5x5"),
        ["sep_conv_3x3"] = ("sep3x3", "s3x3"),
        ["sep_conv_5x5"] = ("sep5x5", "s5x5"),
        ["se_block"] = ("se", "se"),
        ["mbconv_k3_e3"] = ("mbk3e3", "k3e3"),
        ["mbconv_k3_e6"] = ("mbk3e6", "k3e6"),
        ["mbconv_k5_e3"] = ("mbk5e3", "k5e3"),
        ["mbconv_k5_e6"] = ("mbk5e6", "k5e6"),
        ["mbconv_k7_e3"] = ("mbk7e3", "k7e3"),
        ["mbconv_k7_e6"] = ("mbk7e6", "k7e6"),
    };

    /// <summary>
    /// <paramref name="operation"/> in at most 4 characters: a known operation's compact code (<c>c3x3</c>,
    /// <c>k5e6</c>, ...), any other name shortened around a '…'. The macro space's picture uses the same codes.
    /// </summary>
    public static string CompactCode(string operation) =>
        Known.TryGetValue(operation, out var known) ? known.Code : Shorten(Clean(operation), KnownCodeLength);

    private enum Naming
    {
        Full,
        Abbreviated,
        Compact,
    }

    private static readonly Naming[] Namings = [Naming.Full, Naming.Abbreviated, Naming.Compact];

    /// <summary>Longest known name at each naming: other names are shortened to it before the next naming is used.</summary>
    private static int KnownLength(Naming naming) =>
        naming switch
        {
            Naming.Full => KnownFullLength,
            Naming.Abbreviated => KnownAbbreviationLength,
            _ => KnownCodeLength,
        };

    private static readonly int KnownFullLength = Known.Keys.Max(k => k.Length);
    private static readonly int KnownAbbreviationLength = Known.Values.Max(v => v.Abbreviation.Length);
    private static readonly int KnownCodeLength = Known.Values.Max(v => v.Code.Length);

    /// <summary>The cell of <paramref name="architecture"/> (its six choices, in edge order).</summary>
    public static IReadOnlyList<string> Draw(Architecture architecture, int maxWidth = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return Draw(architecture.Choices, maxWidth);
    }

    /// <summary>
    /// The cell whose edges carry <paramref name="edgeOperations"/>, in <see cref="Nb201Space.Edges"/> order
    /// (1←0, 2←0, 2←1, 3←0, 3←1, 3←2): <see cref="Height"/> lines of equal width, at most <paramref name="maxWidth"/>
    /// (at least 1) columns.
    /// </summary>
    /// <exception cref="ArgumentException">Not exactly six operations, or a null one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWidth"/> is less than 1.</exception>
    public static IReadOnlyList<string> Draw(IReadOnlyList<string> edgeOperations, int maxWidth = int.MaxValue)
    {
        string[] operations = Validate(edgeOperations);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 1);
        bool[] none = operations.Select(op => op == "none").ToArray();

        foreach (var (labels, margin) in Stages(operations, KnownLength(Naming.Compact)))
        {
            var layout = Layout.Of(labels, margin);
            if (layout.Width <= maxWidth)
                return Render(labels, none, layout);
        }
        return List(operations, none, maxWidth);
    }

    /// <summary>Width of the picture with full operation names and roomy padding: what <see cref="Draw(IReadOnlyList{string}, int)"/> draws without a limit.</summary>
    public static int NaturalWidth(IReadOnlyList<string> edgeOperations) =>
        Layout.Of(Validate(edgeOperations).Select(Clean).ToArray(), RoomyMargin).Width;

    private static string[] Validate(IReadOnlyList<string> edgeOperations)
    {
        ArgumentNullException.ThrowIfNull(edgeOperations);
        if (edgeOperations.Count != Nb201Space.EdgeCount)
            throw new ArgumentException(
                $"An NB201 cell has {Nb201Space.EdgeCount} edges, not {edgeOperations.Count}.",
                nameof(edgeOperations)
            );
        if (edgeOperations.Any(op => op is null))
            throw new ArgumentException("An edge operation is null.", nameof(edgeOperations));
        return edgeOperations.ToArray();
    }

    private static string Clean(string name) =>
        name.Any(char.IsControl) ? new string(name.Select(c => char.IsControl(c) ? '?' : c).ToArray()) : name;

    private static string Name(string operation, Naming naming) =>
        naming == Naming.Full || !Known.TryGetValue(operation, out var known) ? Clean(operation)
        : naming == Naming.Abbreviated ? known.Abbreviation
        : known.Code;

    /// <summary>
    /// The label sets to try, from the most to the least readable, each with its padding (dashes each side of a label);
    /// labels only ever get shorter from one stage to the next. The last stage caps every label at <paramref name="floor"/>.
    /// </summary>
    private static IEnumerable<(string[] Labels, int Margin)> Stages(string[] operations, int floor)
    {
        int cap = int.MaxValue;
        foreach (Naming naming in Namings)
        {
            string[] names = operations.Select(op => Name(op, naming)).ToArray();
            string[] capped = names.Select(n => Shorten(n, cap)).ToArray();
            yield return (capped, RoomyMargin);
            yield return (capped, TightMargin);
            int lowest = naming == Naming.Compact ? floor : KnownLength(naming);
            for (int k = Math.Min(cap, capped.Max(n => n.Length)) - 1; k >= lowest; k--)
                yield return (names.Select(n => Shorten(n, k)).ToArray(), TightMargin);
            cap = Math.Min(cap, lowest);
        }
    }

    /// <summary><paramref name="name"/> in at most <paramref name="length"/> characters: its start, '…', its end.</summary>
    internal static string Shorten(string name, int length)
    {
        if (name.Length <= length)
            return name;
        if (length <= 1)
            return length == 1 ? "…" : "";
        int kept = length - 1,
            tail = kept / 2,
            head = kept - tail;
        return string.Concat(name.AsSpan(0, head), "…", name.AsSpan(name.Length - tail));
    }

    // Edge indices in key order.
    private const int E01 = 0,
        E02 = 1,
        E12 = 2,
        E03 = 3,
        E13 = 4,
        E23 = 5;

    /// <summary>
    /// Node positions. Node k occupies columns X[k] .. X[k]+2 as "(k)"; the chain edge from node i to node i+1 is the
    /// run of Run[i] columns after node i (line, label, line) followed by its arrowhead. The arcs leave node 0 above its
    /// parentheses (0→3 outside at column 0, 0→2 inside at column 2), node 1 below its digit, and enter nodes 2 and 3
    /// above their digits and node 3 below it.
    /// </summary>
    private sealed record Layout(int[] X, int[] Run, int Width)
    {
        public static Layout Of(string[] labels, int margin)
        {
            int Need(int edge) => labels[edge].Length + 2 + 2 * margin; // " label " with `margin` dashes each side
            int[] run = [Need(E01), Need(E12), Need(E23)];
            int[] x = new int[4];
            void Place()
            {
                for (int i = 0; i < 3; i++)
                    x[i + 1] = x[i] + NodeWidth + run[i] + 1;
            }
            Place();
            // Arc 0→2 runs inside columns 3 .. x[2] (its corners at 2 and x[2]+1).
            int short02 = Need(E02) - (x[2] - 2);
            if (short02 > 0)
            {
                run[0] += short02 / 2;
                run[1] += short02 - short02 / 2;
                Place();
            }
            // Arc 0→3 runs inside columns 1 .. x[3]; arc 1→3 inside x[1]+2 .. x[3].
            int short3 = Math.Max(Need(E03) - x[3], Need(E13) - (x[3] - x[1] - 1));
            if (short3 > 0)
            {
                run[1] += short3 / 2;
                run[2] += short3 - short3 / 2;
                Place();
            }
            return new Layout(x, run, x[3] + NodeWidth);
        }
    }

    private static IReadOnlyList<string> Render(string[] labels, bool[] none, Layout layout)
    {
        var canvas = new char[Height][];
        for (int r = 0; r < Height; r++)
            canvas[r] = Enumerable.Repeat(' ', layout.Width).ToArray();
        int[] x = layout.X;
        int Centre(int node) => x[node] + 1;
        char Horizontal(int edge) => none[edge] ? '╌' : '─';
        char Vertical(int edge) => none[edge] ? '╎' : '│';
        char Right(int edge) => none[edge] ? '▻' : '►';
        char Down(int edge) => none[edge] ? '▽' : '▼';
        char Up(int edge) => none[edge] ? '△' : '▲';

        // Labelled run: dashes, " label ", dashes, centred in columns from .. from+length-1.
        void Run(int row, int from, int length, int edge)
        {
            string text = " " + labels[edge] + " ";
            int left = (length - text.Length) / 2;
            for (int c = 0; c < length; c++)
                canvas[row][from + c] = Horizontal(edge);
            text.CopyTo(0, canvas[row], from + left, text.Length);
        }

        // The chain.
        for (int node = 0; node < 4; node++)
            $"({node})".CopyTo(0, canvas[3], x[node], NodeWidth);
        int[] chain = [E01, E12, E23];
        for (int i = 0; i < 3; i++)
        {
            int from = x[i] + NodeWidth;
            Run(3, from, layout.Run[i], chain[i]);
            canvas[3][from + layout.Run[i]] = Right(chain[i]);
        }

        // 0→3, the outer arc above.
        canvas[0][0] = '┌';
        Run(0, 1, Centre(3) - 1, E03);
        canvas[0][Centre(3)] = '┐';
        canvas[1][0] = canvas[2][0] = canvas[1][Centre(3)] = Vertical(E03);
        canvas[2][Centre(3)] = Down(E03);

        // 0→2, the inner arc above.
        canvas[1][2] = '┌';
        Run(1, 3, Centre(2) - 3, E02);
        canvas[1][Centre(2)] = '┐';
        canvas[2][2] = Vertical(E02);
        canvas[2][Centre(2)] = Down(E02);

        // 1→3, the arc below.
        canvas[4][Centre(1)] = Vertical(E13);
        canvas[4][Centre(3)] = Up(E13);
        canvas[5][Centre(1)] = '└';
        Run(5, Centre(1) + 1, Centre(3) - Centre(1) - 1, E13);
        canvas[5][Centre(3)] = '┘';

        return canvas.Select(line => new string(line)).ToArray();
    }

    /// <summary>The fallback for narrow widths: one line per edge, "0─►1 nor_conv_3x3", in edge order.</summary>
    private static IReadOnlyList<string> List(string[] operations, bool[] none, int maxWidth)
    {
        string[] Lines(string[] labels) =>
            Nb201Space
                .Edges.Select((edge, e) => $"{edge.From}{(none[e] ? "╌▻" : "─►")}{edge.To} {labels[e]}")
                .ToArray();

        string[] lines = Stages(operations, 1)
            .Select(stage => Lines(stage.Labels))
            .FirstOrDefault(candidate => candidate.Max(l => l.Length) <= maxWidth)
            ?? Lines(operations.Select(_ => "").ToArray()).Select(l => l.TrimEnd()[..Math.Min(4, maxWidth)]).ToArray();
        int width = lines.Max(l => l.Length);
        return lines.Select(l => l.PadRight(width)).ToArray();
    }
}
