using System.Text;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// What a script file (and a file it <c>#load</c>s) may hold: UTF-8, with or without a byte-order mark. The compiler
/// would otherwise replace invalid bytes with U+FFFD without a word, and compile something other than what the author
/// sees (a string literal that lost a character compiles fine).
/// </summary>
internal static class ScriptText
{
    private static readonly UTF8Encoding Strict = new(
        encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true
    );

    /// <summary>Null when <paramref name="source"/> is UTF-8; otherwise where the first invalid bytes are, and what they are.</summary>
    public static (int Line, int Column, string Message)? InvalidUtf8(byte[] source)
    {
        int start = source.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        try
        {
            Strict.GetCharCount(source, start, source.Length - start);
            return null;
        }
        catch (DecoderFallbackException e)
        {
            // The exception's index counts from where decoding started, after any byte-order mark.
            int offset = start + e.Index;
            var before = source.AsSpan(0, offset);
            int lineStart = Math.Max(before.LastIndexOf((byte)'\n') + 1, start);
            int line = before.Count((byte)'\n') + 1;
            // Columns count characters, as the compiler's do; everything before the offset decodes.
            int column = Strict.GetCharCount(source, lineStart, offset - lineStart) + 1;
            byte[] bad = e.BytesUnknown is { Length: > 0 } unknown ? unknown : [source[offset]];
            string bytes = string.Join(" ", bad.Select(b => $"0x{b:X2}"));
            return (
                line,
                column,
                $"the file is not valid UTF-8: {(bad.Length == 1 ? "byte" : "bytes")} {bytes} at byte offset {offset} (line {line}, column {column}); save it as UTF-8"
            );
        }
    }
}
