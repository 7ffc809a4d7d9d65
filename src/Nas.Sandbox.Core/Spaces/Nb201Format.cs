using System.Text;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>NAS-Bench-201 architecture strings: <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.</summary>
public static class Nb201Format
{
    public static string Format(IReadOnlyList<string> edgeOperations)
    {
        var text = new StringBuilder("|");
        int edge = 0;
        for (int node = 1; node < Nb201Space.NodeCount; node++)
        {
            if (node > 1)
                text.Append("+|");
            for (int input = 0; input < node; input++)
                text.Append(edgeOperations[edge++]).Append('~').Append(input).Append('|');
        }
        return text.ToString();
    }

    /// <summary>The six edge operations of <paramref name="text"/>, or an error naming the position and what was expected.</summary>
    public static string[] Parse(string text, IReadOnlyList<string> operations)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new string[Nb201Space.EdgeCount];
        int pos = 0,
            edge = 0;
        Expect('|');
        for (int node = 1; node < Nb201Space.NodeCount; node++)
        {
            if (node > 1)
            {
                Expect('+');
                Expect('|');
            }
            for (int input = 0; input < node; input++)
            {
                int start = pos;
                while (pos < text.Length && text[pos] != '~' && text[pos] != '|' && text[pos] != '+')
                    pos++;
                string op = text[start..pos];
                if (!operations.Contains(op))
                    throw new ArchitectureFormatException(
                        text,
                        start,
                        $"an operation ({string.Join(", ", operations)}) on edge {node}←{input}"
                            + (op.Length > 0 ? $", not '{op}'" : "")
                    );
                result[edge++] = op;
                Expect('~');
                if (pos >= text.Length || text[pos] != (char)('0' + input))
                    throw new ArchitectureFormatException(text, pos, $"input node {input} of node {node}");
                pos++;
                Expect('|');
            }
        }
        if (pos != text.Length)
            throw new ArchitectureFormatException(text, pos, "the end of the string");
        return result;

        void Expect(char c)
        {
            if (pos >= text.Length || text[pos] != c)
                throw new ArchitectureFormatException(
                    text,
                    pos,
                    $"'{c}'" + (pos >= text.Length ? " (the string ended)" : $", not '{text[pos]}'")
                );
            pos++;
        }
    }
}
