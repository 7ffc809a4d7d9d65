using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>One line of a journal and where it was.</summary>
public sealed record JournalLine(int LineNumber, JObject Event)
{
    public string Type => (string?)Event["type"] ?? "";
}

/// <summary>
/// The events of a journal, and whether its last line was torn by a crash mid-write (as the file was when read).
/// <see cref="Lines"/> reads the file each time it is enumerated, one line at a time, so a journal of any size is read
/// in little memory, and taking the first line reads only that line. Call <c>ToList()</c> to enumerate it more than once.
/// </summary>
public sealed record JournalContents(IEnumerable<JournalLine> Lines, bool TornLastLine);

/// <summary>
/// Reads a JSON-lines journal. A torn last line (a crash mid-write) is tolerated and reported; any other line that is
/// not a JSON object with a <c>type</c> is an error naming the file and line number.
/// <para>What a torn line is has one definition, shared with <see cref="JournalWriter"/>'s repair (<see cref="JournalTail"/>):
/// text after the last newline that is not a complete event. A complete event without its newline (a crash between
/// the two) is read, and the writer completes it, so the reader and the repair agree on every trial.</para>
/// </summary>
public static class JournalReader
{
    public static JournalContents Read(string path)
    {
        if (!File.Exists(path))
            throw new NasException($"Journal {path} not found.");
        bool torn;
        using (var stream = Open(path))
            torn = JournalTail.Read(stream).IsTorn;
        return new JournalContents(Events(path), torn);
    }

    /// <summary>
    /// The last event of a journal, found from its end without reading the rest (a torn tail skipped, as by
    /// <see cref="Read"/>); null when it has none, or when its last line is not an event (reading it all names that line).
    /// </summary>
    public static JObject? LastEvent(string path)
    {
        using var stream = Open(path);
        var tail = JournalTail.Read(stream);
        if (tail.Event is { } complete)
            return complete;
        // Walk back over the lines before the tail (blank ones are skipped, as by the reader).
        long end = tail.Start;
        while (end > 0)
        {
            long start = JournalTail.LineStart(stream, end - 1);
            string line = JournalTail.ReadText(stream, start, end - 1 - start).TrimEnd('\r');
            if (line.Length > 0)
            {
                try
                {
                    return ParseEvent(line);
                }
                catch (JsonReaderException)
                {
                    return null;
                }
            }
            end = start;
        }
        return null;
    }

    private static IEnumerable<JournalLine> Events(string path)
    {
        foreach (var (number, text, terminated) in Lines(path))
        {
            if (text.Length == 0)
                continue;
            JObject json;
            try
            {
                json = ParseEvent(text);
            }
            catch (JsonReaderException e)
            {
                if (!terminated)
                    yield break; // torn: see JournalTail
                throw new NasException($"{path}({number}): not a journal event: {e.Message}");
            }
            yield return new JournalLine(number, json);
        }
    }

    /// <summary>The file's lines (without '\r'), numbered from 1, and whether each ended with a newline.</summary>
    private static IEnumerable<(int Number, string Text, bool Terminated)> Lines(string path)
    {
        using var stream = Open(path);
        using var reader = new StreamReader(
            stream,
            Encoding.UTF8,
            detectEncodingFromByteOrderMarks: true,
            bufferSize: 1 << 16
        );
        var buffer = new char[1 << 16];
        var pending = new StringBuilder();
        int number = 0,
            read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (true)
            {
                int newline = Array.IndexOf(buffer, '\n', start, read - start);
                if (newline < 0)
                {
                    pending.Append(buffer, start, read - start);
                    break;
                }
                string line;
                if (pending.Length == 0)
                    line = new string(buffer, start, newline - start);
                else
                {
                    line = pending.Append(buffer, start, newline - start).ToString();
                    pending.Clear();
                }
                yield return (++number, line.TrimEnd('\r'), true);
                start = newline + 1;
            }
        }
        if (pending.Length > 0)
            yield return (++number, pending.ToString().TrimEnd('\r'), false);
    }

    private static FileStream Open(string path)
    {
        // ReadWrite sharing: a journal is read while its race appends to it (nas pareto on a live race).
        try
        {
            return new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite,
                bufferSize: 1,
                FileOptions.SequentialScan
            );
        }
        catch (FileNotFoundException)
        {
            throw new NasException($"Journal {path} not found.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"cannot read journal {path}: {e.Message}", e);
        }
    }

    /// <summary>One journal event: a JSON object with a <c>type</c> string; anything else throws <see cref="JsonReaderException"/>.</summary>
    public static JObject ParseEvent(string line)
    {
        var json = ParseObject(line);
        if (json["type"]?.Type != JTokenType.String)
            throw new JsonReaderException("the object has no \"type\" string");
        return json;
    }

    /// <summary>One JSON object; timestamps stay strings (Newtonsoft would turn them into local DateTimes).</summary>
    public static JObject ParseObject(string line)
    {
        using var reader = new JsonTextReader(new StringReader(line)) { DateParseHandling = DateParseHandling.None };
        var json = JObject.Load(reader);
        if (reader.Read())
            throw new JsonReaderException($"unexpected content after the object at position {reader.LinePosition}");
        return json;
    }
}
