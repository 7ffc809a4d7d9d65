using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// What follows a journal's last newline, found from the end of the file. Every line is written with its newline in one
/// write, so after a crash that text is either nothing, a torn line (part of an event), or, when the crash fell just
/// before the newline, a complete event. A prefix of a JSON object is never a complete object, so the last two cannot be
/// confused: the reader reads a complete event and skips a torn line, and the writer's repair completes the one with its
/// newline and cuts the other, both by this one test.
/// </summary>
public sealed record JournalTail(long Start, string Text, JObject? Event)
{
    /// <summary>Text after the last newline that is not a complete event: the repair cuts it.</summary>
    public bool IsTorn => Text.Length > 0 && Event is null;

    /// <summary>Reads the tail of <paramref name="stream"/> (which must be readable and seekable); leaves its position anywhere.</summary>
    public static JournalTail Read(Stream stream)
    {
        long end = stream.Length;
        long start = end == 0 ? 0 : LineStart(stream, end);
        string text = ReadText(stream, start, end - start);
        JObject? complete = null;
        if (text.TrimEnd('\r').Length > 0)
        {
            try
            {
                complete = JournalReader.ParseEvent(text.TrimEnd('\r'));
            }
            catch (JsonReaderException) { }
        }
        return new JournalTail(start, text, complete);
    }

    /// <summary>Where the line holding the byte before <paramref name="end"/> starts: just after the newline before it, or 0.</summary>
    internal static long LineStart(Stream stream, long end)
    {
        var chunk = new byte[8192];
        long at = end;
        while (at > 0)
        {
            int count = (int)Math.Min(chunk.Length, at);
            stream.Position = at - count;
            stream.ReadExactly(chunk, 0, count);
            int newline = Array.LastIndexOf(chunk, (byte)'\n', count - 1, count);
            if (newline >= 0)
                return at - count + newline + 1;
            at -= count;
        }
        return 0;
    }

    /// <summary>The UTF-8 text of <paramref name="length"/> bytes from <paramref name="start"/> (a byte-order mark at the file's start dropped).</summary>
    internal static string ReadText(Stream stream, long start, long length)
    {
        if (length == 0)
            return "";
        var bytes = new byte[length];
        stream.Position = start;
        stream.ReadExactly(bytes);
        int skip = start == 0 && bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        return Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
    }
}
