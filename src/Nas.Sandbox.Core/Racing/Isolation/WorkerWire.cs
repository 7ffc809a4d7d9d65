using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// How the referee and a contestant process talk: one JSON object per line over a local pipe, a request then its
/// reply. A reply has <c>ok</c>, or <c>error</c> (what the contestant's code threw) with <c>kind</c> (<c>knob</c> for a
/// bad knob value, <c>fatal</c> when the process is about to exit, e.g. out of memory).
/// </summary>
internal static class WorkerWire
{
    public static void Write(TextWriter writer, JObject message)
    {
        writer.Write(message.ToString(Formatting.None));
        writer.Write('\n');
        writer.Flush();
    }

    /// <summary>The next message, or null when the other side closed the pipe.</summary>
    public static JObject? Read(TextReader reader) => reader.ReadLine() is { } line ? JObject.Parse(line) : null;

    public static JObject Ok() => new() { ["ok"] = true };

    public static JObject Error(string message, string kind = "code") => new() { ["error"] = message, ["kind"] = kind };
}
