using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NuGet.Versioning;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Reads and writes <c>nas-pack.json</c>. Reading is strict: a missing, mistyped or invalid field is refused with an
/// error that names the field (e.g. <c>files[2].sha256</c>) and its line, and an unknown field is refused too, so
/// that a typo never silently drops information.
/// </summary>
public static class PackManifestJson
{
    private static readonly string[] KnownFields =
    [
        "schema",
        "id",
        "version",
        "api",
        "description",
        "authors",
        "license",
        "contents",
        "race",
        "files",
    ];

    public static PackManifest Read(string json, string packName)
    {
        JObject root;
        try
        {
            root = JObject.Parse(
                json,
                new JsonLoadSettings
                {
                    LineInfoHandling = LineInfoHandling.Load,
                    DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error,
                }
            );
        }
        catch (JsonReaderException e)
        {
            throw new PackException(
                $"{packName}: {PackFormat.ManifestFile} is not valid JSON (line {e.LineNumber}, position {e.LinePosition}): {e.Message}"
            );
        }
        var reader = new FieldReader(packName);
        reader.OnlyKnown(root, null, KnownFields);

        int schema = reader.Int(root, "schema");
        if (schema != PackFormat.Schema)
            throw reader.Error(
                "schema",
                root["schema"],
                $"is {schema}; this host reads manifest schema {PackFormat.Schema}"
            );
        string id = reader.String(root, "id");
        if (PackId.Problem(id) is { } idProblem)
            throw reader.Error("id", root["id"], idProblem);
        string versionText = reader.String(root, "version");
        if (!SemanticVersion.TryParse(versionText, out var version))
            throw reader.Error(
                "version",
                root["version"],
                $"'{versionText}' is not a semantic version (MAJOR.MINOR.PATCH[-prerelease])"
            );
        string apiText = reader.String(root, "api");
        if (!VersionRange.TryParse(apiText, out var api) || apiText.Trim().Length == 0)
            throw reader.Error("api", root["api"], $"'{apiText}' is not a version range such as [1.1, 2.0)");
        var contents =
            root["contents"] as JObject
            ?? throw reader.Error("contents", root["contents"] ?? root, "is missing or not an object");
        reader.OnlyKnown(contents, "contents", "plugins", "scripts");

        return new PackManifest
        {
            Id = id,
            Version = version,
            Api = api,
            Description = reader.String(root, "description"),
            Authors = reader.Strings(root, "authors", "authors", allowEmpty: false),
            License = reader.String(root, "license"),
            Plugins = reader
                .Array(contents, "plugins", "contents.plugins")
                .Select((p, i) => ReadPlugin(reader, p, $"contents.plugins[{i}]"))
                .ToArray(),
            Scripts = reader
                .Array(contents, "scripts", "contents.scripts")
                .Select((s, i) => ReadScript(reader, s, $"contents.scripts[{i}]"))
                .ToArray(),
            Race =
                root["race"] is JObject race ? ReadRace(reader, race)
                : root["race"] is null or { Type: JTokenType.Null } ? null
                : throw reader.Error("race", root["race"], "is not an object"),
            Files = reader.Array(root, "files", "files").Select((f, i) => ReadFile(reader, f, $"files[{i}]")).ToArray(),
        };
    }

    private static PackPlugin ReadPlugin(FieldReader reader, JToken token, string field)
    {
        var plugin = token as JObject ?? throw reader.Error(field, token, "is not an object");
        reader.OnlyKnown(plugin, field, ["name", .. ProvidesFields]);
        string name = reader.String(plugin, "name", $"{field}.name");
        if (name.Contains('/') || PackEntryPath.Problem(name) is not null)
            throw reader.Error($"{field}.name", plugin["name"], $"'{name}' is not a plugin folder name");
        return new PackPlugin(name, ReadProvides(reader, plugin, field));
    }

    private static PackScript ReadScript(FieldReader reader, JToken token, string field)
    {
        var script = token as JObject ?? throw reader.Error(field, token, "is not an object");
        reader.OnlyKnown(script, field, ["path", .. ProvidesFields]);
        string path = reader.String(script, "path", $"{field}.path");
        if (PackEntryPath.Problem(path) is { } problem)
            throw reader.Error($"{field}.path", script["path"], $"'{path}' {problem}");
        return new PackScript(path, ReadProvides(reader, script, field));
    }

    private static readonly string[] ProvidesFields = ["strategies", "estimators", "operations", "spaces"];

    private static PackProvides ReadProvides(FieldReader reader, JObject owner, string field) =>
        new(
            reader.Strings(owner, "strategies", $"{field}.strategies"),
            reader.Strings(owner, "estimators", $"{field}.estimators"),
            reader.Strings(owner, "operations", $"{field}.operations"),
            owner["spaces"] is null ? [] : reader.Strings(owner, "spaces", $"{field}.spaces")
        );

    private static PackRace ReadRace(FieldReader reader, JObject race)
    {
        reader.OnlyKnown(race, "race", "arguments", "journal");
        string? journal = race["journal"] switch
        {
            null or { Type: JTokenType.Null } => null,
            { Type: JTokenType.String } => reader.String(race, "journal", "race.journal"),
            var other => throw reader.Error("race.journal", other, "is not a string"),
        };
        if (journal is not null && PackEntryPath.Problem(journal) is { } problem)
            throw reader.Error("race.journal", race["journal"], $"'{journal}' {problem}");
        var arguments = reader.Strings(race, "arguments", "race.arguments", allowEmpty: false);
        if (PackRaceArguments.Problem(arguments) is { } bad)
            throw reader.Error($"race.arguments[{bad.Index}]", race["arguments"]![bad.Index], bad.Problem);
        return new PackRace(arguments, journal);
    }

    private static PackFile ReadFile(FieldReader reader, JToken token, string field)
    {
        var file = token as JObject ?? throw reader.Error(field, token, "is not an object");
        reader.OnlyKnown(file, field, "path", "sha256");
        string path = reader.String(file, "path", $"{field}.path");
        if (PackEntryPath.Problem(path) is { } problem)
            throw reader.Error($"{field}.path", file["path"], $"'{path}' {problem}");
        string sha = reader.String(file, "sha256", $"{field}.sha256");
        if (sha.Length != 64 || !sha.All(Uri.IsHexDigit))
            throw reader.Error($"{field}.sha256", file["sha256"], $"'{sha}' is not a SHA-256 (64 hexadecimal digits)");
        return new PackFile(path, sha.ToLowerInvariant());
    }

    public static string Write(PackManifest manifest)
    {
        static JObject Provides(PackProvides p, JObject into)
        {
            into["strategies"] = new JArray(p.Strategies);
            into["estimators"] = new JArray(p.Estimators);
            into["operations"] = new JArray(p.Operations);
            if (p.Spaces.Count > 0)
                into["spaces"] = new JArray(p.Spaces);
            return into;
        }
        var root = new JObject
        {
            ["schema"] = PackFormat.Schema,
            ["id"] = manifest.Id,
            ["version"] = manifest.Version.ToNormalizedString(),
            ["api"] = manifest.Api.ToNormalizedString(),
            ["description"] = manifest.Description,
            ["authors"] = new JArray(manifest.Authors),
            ["license"] = manifest.License,
            ["contents"] = new JObject
            {
                ["plugins"] = new JArray(
                    manifest.Plugins.Select(p => Provides(p.Provides, new JObject { ["name"] = p.Name }))
                ),
                ["scripts"] = new JArray(
                    manifest.Scripts.Select(s => Provides(s.Provides, new JObject { ["path"] = s.Path }))
                ),
            },
        };
        if (manifest.Race is { } race)
            root["race"] = new JObject { ["arguments"] = new JArray(race.Arguments), ["journal"] = race.Journal };
        root["files"] = new JArray(
            manifest.Files.Select(f => new JObject { ["path"] = f.Path, ["sha256"] = f.Sha256 })
        );
        return root.ToString(Formatting.Indented) + "\n";
    }

    /// <summary>Typed access to fields, with errors that name the field and its line.</summary>
    private sealed class FieldReader(string packName)
    {
        public PackException Error(string field, JToken? at, string problem)
        {
            string line = at is IJsonLineInfo info && info.HasLineInfo() ? $" (line {info.LineNumber})" : "";
            return new PackException($"{packName}: {PackFormat.ManifestFile} field '{field}'{line} {problem}.");
        }

        /// <summary>Refuses a field of <paramref name="owner"/> (at <paramref name="field"/>; null for the root) not in <paramref name="known"/>.</summary>
        public void OnlyKnown(JObject owner, string? field, params string[] known)
        {
            foreach (var property in owner.Properties())
                if (!known.Contains(property.Name))
                    throw Error(
                        field is null ? property.Name : $"{field}.{property.Name}",
                        property,
                        $"is not a{(field is null ? " manifest" : "")} field{(field is null ? "" : $" of {field}")}; known: {string.Join(", ", known)}"
                    );
        }

        public string String(JObject owner, string name, string? field = null)
        {
            var token = owner[name];
            if (token is not { Type: JTokenType.String })
                throw Error(field ?? name, token ?? owner, token is null ? "is missing" : "is not a string");
            string value = (string)token!;
            if (value.Trim().Length == 0)
                throw Error(field ?? name, token, "is empty");
            // Manifest text is printed to terminals: an escape sequence could rewrite what the user reads.
            if (value.Any(char.IsControl))
                throw Error(field ?? name, token, "contains a control character");
            return value;
        }

        public int Int(JObject owner, string name)
        {
            var token = owner[name];
            if (token is not { Type: JTokenType.Integer })
                throw Error(name, token ?? owner, token is null ? "is missing" : "is not an integer");
            // A huge integer arrives as a BigInteger (or a long beyond int): out of range, not a crash.
            return token is JValue { Value: long value and >= int.MinValue and <= int.MaxValue }
                ? (int)value
                : throw Error(name, token, "is out of range");
        }

        public IReadOnlyList<JToken> Array(JObject owner, string name, string field)
        {
            var token = owner[name];
            if (token is not JArray array)
                throw Error(field, token ?? owner, token is null ? "is missing" : "is not an array");
            return array.ToArray();
        }

        public IReadOnlyList<string> Strings(JObject owner, string name, string field, bool allowEmpty = true)
        {
            var items = Array(owner, name, field);
            if (!allowEmpty && items.Count == 0)
                throw Error(field, owner[name], "is empty");
            return items
                .Select(
                    (t, i) =>
                        t is { Type: JTokenType.String } && ((string)t!).Trim().Length > 0
                            ? !((string)t!).Any(char.IsControl)
                                ? (string)t!
                                : throw Error($"{field}[{i}]", t, "contains a control character")
                            : throw Error($"{field}[{i}]", t, "is not a non-empty string")
                )
                .ToArray();
        }
    }
}
