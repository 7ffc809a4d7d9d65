using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>One line of a journal and where it was.</summary>
public sealed record JournalLine(int LineNumber, JObject Event)
{
    public string Type => (string?)Event["type"] ?? "";
}

/// <summary>The events of a journal, and whether its last line was torn by a crash mid-write.</summary>
public sealed record JournalContents(IReadOnlyList<JournalLine> Lines, bool TornLastLine);

/// <summary>
/// Reads a JSON-lines journal. A torn last line (a crash mid-write) is tolerated and reported; any other line that is
/// not a JSON object with a <c>type</c> is an error naming the file and line number.
/// </summary>
public static class JournalReader
{
    public static JournalContents Read(string path)
    {
        if (!File.Exists(path)) throw new NasException($"Journal {path} not found.");
        string text = File.ReadAllText(path);
        bool endsWithNewline = text.EndsWith('\n');
        string[] lines = text.Split('\n');
        int count = endsWithNewline ? lines.Length - 1 : lines.Length;
        var result = new List<JournalLine>(count);
        bool torn = false;
        for (int i = 0; i < count; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            bool last = i == count - 1;
            try
            {
                var json = ParseObject(line);
                if (json["type"]?.Type != JTokenType.String) throw new JsonReaderException("the object has no \"type\" string");
                result.Add(new JournalLine(i + 1, json));
            }
            catch (JsonReaderException e)
            {
                if (last && !endsWithNewline) { torn = true; continue; }
                throw new NasException($"{path}({i + 1}): not a journal event: {e.Message}");
            }
        }
        return new JournalContents(result, torn);
    }

    /// <summary>One JSON object; timestamps stay strings (Newtonsoft would turn them into local DateTimes).</summary>
    public static JObject ParseObject(string line)
    {
        using var reader = new JsonTextReader(new StringReader(line)) { DateParseHandling = DateParseHandling.None };
        var json = JObject.Load(reader);
        if (reader.Read()) throw new JsonReaderException($"unexpected content after the object at position {reader.LinePosition}");
        return json;
    }
}
