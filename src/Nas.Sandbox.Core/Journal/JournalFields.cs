using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// Typed access to the fields of one journal event. A journal is user input (copied, edited, truncated): a missing or
/// mistyped field is a <see cref="NasException"/> naming the file, line and field, never a cast exception. Each method
/// reads a field of the event itself, or of <paramref name="owner"/> (an object inside it, e.g. its settings).
/// </summary>
public sealed class JournalFields(string path, JournalLine line)
{
    public JObject Event => line.Event;

    /// <summary>The line these fields are of.</summary>
    public JournalLine Line => line;

    /// <summary>The journal's path, as errors name it.</summary>
    public string Path => path;

    /// <summary>"FILE(LINE)", for errors about the event as a whole.</summary>
    public string Where => $"{path}({line.LineNumber})";

    public string RequiredString(string name, JObject? owner = null) =>
        Field(owner, name) is { Type: JTokenType.String } token
            ? (string)token!
            : throw Wrong(owner, name, "must be a string");

    public string? OptionalString(string name, JObject? owner = null) =>
        IsAbsent(Field(owner, name)) ? null : RequiredString(name, owner);

    public int RequiredInt(string name, JObject? owner = null, int min = int.MinValue, int max = int.MaxValue) =>
        Integer(Field(owner, name)) is { } value && value >= min && value <= max
            ? (int)value
            : throw Wrong(owner, name, $"must be a whole number in [{min}, {max}]");

    public int? OptionalInt(string name, JObject? owner = null, int min = int.MinValue, int max = int.MaxValue) =>
        IsAbsent(Field(owner, name)) ? null : RequiredInt(name, owner, min, max);

    public long? OptionalLong(string name, JObject? owner = null) =>
        IsAbsent(Field(owner, name)) ? null
        : Integer(Field(owner, name)) is { } value && value >= long.MinValue && value <= long.MaxValue ? (long)value
        : throw Wrong(owner, name, "must be a whole number");

    public double? OptionalNumber(string name, JObject? owner = null) =>
        Field(owner, name) switch
        {
            null or { Type: JTokenType.Null } => null,
            { Type: JTokenType.Integer or JTokenType.Float } token => ToDouble(token)
                ?? throw Wrong(owner, name, "must be a finite number"),
            _ => throw Wrong(owner, name, "must be a number"),
        };

    public JObject RequiredObject(string name, JObject? owner = null) =>
        Field(owner, name) as JObject ?? throw Wrong(owner, name, "must be an object");

    public JObject? OptionalObject(string name, JObject? owner = null) =>
        IsAbsent(Field(owner, name)) ? null : RequiredObject(name, owner);

    public JArray Array(string name, JObject? owner = null) =>
        Field(owner, name) as JArray ?? throw Wrong(owner, name, "must be an array");

    /// <summary>The numbers of an array field, each finite.</summary>
    public double[] Numbers(string name, JObject? owner = null) =>
        Array(name, owner)
            .Select(v =>
                v.Type is JTokenType.Integer or JTokenType.Float && ToDouble(v) is { } d
                    ? d
                    : throw Wrong(owner, name, "must hold finite numbers")
            )
            .ToArray();

    /// <summary>An error about this event: "FILE(LINE): TYPE event: field "NAME" WHAT."</summary>
    public NasException Wrong(JObject? owner, string name, string what)
    {
        string field = owner is null || owner.Path.Length == 0 ? name : $"{owner.Path}.{name}";
        return new NasException(
            $"{path}({line.LineNumber}): {(line.Type.Length > 0 ? line.Type : "journal")} event: field \"{field}\" {what}."
        );
    }

    private JToken? Field(JObject? owner, string name) => (owner ?? line.Event)[name];

    private static bool IsAbsent(JToken? token) => token is null or { Type: JTokenType.Null };

    /// <summary>An integer token's value, however large (Newtonsoft keeps big ones as BigInteger).</summary>
    private static System.Numerics.BigInteger? Integer(JToken? token) =>
        token is JValue { Type: JTokenType.Integer } value
            ? value.Value switch
            {
                System.Numerics.BigInteger big => big,
                { } other => new System.Numerics.BigInteger(
                    Convert.ToInt64(other, System.Globalization.CultureInfo.InvariantCulture)
                ),
                null => null,
            }
            : null;

    private static double? ToDouble(JToken token)
    {
        try
        {
            double value = Integer(token) is { } whole ? (double)whole : (double)token;
            return double.IsFinite(value) ? value : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
