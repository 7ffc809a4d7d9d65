using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The league file's JSON: <c>{ "format": 1, "players": [...], "recordedHeats": [...] }</c>. Reading checks every
/// field and names the file, the field and the line of anything wrong, because a league file that is misread
/// would be overwritten with the misreading at the next heat.
/// </summary>
internal static class LeagueFormat
{
    public const int Version = 1;

    public static string Write(LeagueStandings standings) =>
        new JObject
        {
            ["format"] = Version,
            ["players"] = new JArray(
                standings.Players.Select(p => new JObject
                {
                    ["key"] = p.Key,
                    ["strategy"] = p.Strategy,
                    ["knobs"] = new JObject(p.Knobs.Select(k => new JProperty(k.Key, k.Value))),
                    ["rating"] = p.Rating,
                    ["heats"] = p.Heats,
                    ["wins"] = p.Wins,
                    ["draws"] = p.Draws,
                    ["losses"] = p.Losses,
                    ["bestAccuracy"] = p.BestAccuracy,
                    ["lastPlayed"] = p.LastPlayed,
                })
            ),
            ["recordedHeats"] = new JArray(standings.RecordedHeats),
        }.ToString(Formatting.Indented);

    public static LeagueStandings Read(string text, string path)
    {
        JObject root;
        try
        {
            // Times stay strings: Newtonsoft would otherwise turn them into local DateTimes.
            using var reader = new JsonTextReader(new StringReader(text))
            {
                DateParseHandling = DateParseHandling.None,
            };
            root = JObject.Load(reader);
            if (reader.Read())
                throw new JsonReaderException(
                    $"Unexpected content after the league object, line {reader.LineNumber}, position {reader.LinePosition}."
                );
        }
        catch (JsonReaderException e)
        {
            throw Corrupt(path, e.Message);
        }
        var fields = new Fields(path);
        int format = fields.Int(root, "format");
        if (format > Version)
            throw new NasException(
                $"League file {path} has format {format}, written by a newer Nas.Sandbox; this one reads format {Version}."
            );
        if (format < 1)
            throw fields.Wrong(root["format"]!, $"at least 1, not {format}");

        var players = fields
            .Array(root, "players")
            .Select(token =>
            {
                var p = fields.Object(token);
                var knobs = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var knob in fields.Object(p, "knobs").Properties())
                    knobs[knob.Name] =
                        knob.Value.Type == JTokenType.String
                            ? (string)knob.Value!
                            : throw fields.Wrong(knob.Value, "a string");
                return new LeaguePlayer(
                    fields.String(p, "key"),
                    fields.String(p, "strategy"),
                    knobs,
                    fields.Number(p, "rating"),
                    fields.Int(p, "heats"),
                    fields.Int(p, "wins"),
                    fields.Int(p, "draws"),
                    fields.Int(p, "losses"),
                    fields.OptionalNumber(p, "bestAccuracy"),
                    fields.OptionalString(p, "lastPlayed")
                );
            })
            .ToArray();
        var duplicate = players.GroupBy(p => p.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Corrupt(path, $"player \"{duplicate.Key}\" appears more than once.");

        var heats = fields
            .Array(root, "recordedHeats")
            .Select(token => token.Type == JTokenType.String ? (string)token! : throw fields.Wrong(token, "a string"))
            .ToArray();
        return new LeagueStandings(players, heats);
    }

    public static NasException Corrupt(string path, string problem) =>
        new(
            $"League file {path} is corrupt: {problem} It was left unchanged; fix it, or move it away to start a new league."
        );

    private static string At(JToken token) =>
        token is IJsonLineInfo info && info.HasLineInfo()
            ? $" (line {info.LineNumber}, position {info.LinePosition})"
            : "";

    /// <summary>Typed access to required and optional fields; each failure names the field and where it is.</summary>
    private sealed class Fields(string path)
    {
        public JObject Object(JToken token) => token as JObject ?? throw Wrong(token, "an object");

        public JObject Object(JObject parent, string name) => Object(Required(parent, name));

        public JArray Array(JObject parent, string name) =>
            Required(parent, name) as JArray ?? throw Wrong(parent[name]!, "an array");

        public string String(JObject parent, string name) =>
            Required(parent, name) is { Type: JTokenType.String } token
                ? (string)token!
                : throw Wrong(parent[name]!, "a string");

        public string? OptionalString(JObject parent, string name) =>
            IsAbsent(parent[name]) ? null : String(parent, name);

        public double Number(JObject parent, string name) =>
            Required(parent, name) is { Type: JTokenType.Float or JTokenType.Integer } token
                ? Finite(token) ?? throw Wrong(token, "a finite number")
                : throw Wrong(parent[name]!, "a number");

        private static double? Finite(JToken token)
        {
            try
            {
                double value = (double)token;
                return double.IsFinite(value) ? value : null;
            }
            catch (Exception e) when (e is OverflowException or InvalidCastException)
            {
                return null;
            }
        }

        public double? OptionalNumber(JObject parent, string name) =>
            IsAbsent(parent[name]) ? null : Number(parent, name);

        public int Int(JObject parent, string name) =>
            Required(parent, name) is JValue { Value: long value and >= 0 and <= int.MaxValue }
                ? (int)value
                : throw Wrong(parent[name]!, "a whole number, at least 0");

        public NasException Wrong(JToken token, string what) =>
            Corrupt(path, $"\"{token.Path}\" must be {what}{At(token)}.");

        private JToken Required(JObject parent, string name) =>
            parent[name]
            ?? throw Corrupt(
                path,
                $"\"{(parent.Path.Length == 0 ? name : $"{parent.Path}.{name}")}\" is missing{At(parent)}."
            );

        private static bool IsAbsent(JToken? token) => token is null or { Type: JTokenType.Null };
    }
}
