using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Who a pack is from and what it is called, as far as known: from command-line options, a project's NuGet
/// properties, or the <c>nas-pack.json</c> of a source folder. <see cref="Or"/> fills the gaps of one source from
/// another, so options override files.
/// </summary>
public sealed record PackMetadata
{
    public string? Id { get; init; }
    public string? Version { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string>? Authors { get; init; }
    public string? License { get; init; }

    public PackMetadata Or(PackMetadata fallback) =>
        new()
        {
            Id = Id ?? fallback.Id,
            Version = Version ?? fallback.Version,
            Description = Description ?? fallback.Description,
            Authors = Authors ?? fallback.Authors,
            License = License ?? fallback.License,
        };

    /// <summary>
    /// The metadata fields of a source folder's <c>nas-pack.json</c> (a built pack's manifest works too; its contents
    /// and files are ignored, since a build recomputes them). Null when the folder has none.
    /// </summary>
    public static PackMetadata? FromFolder(string folder)
    {
        string path = Path.Combine(folder, PackFormat.ManifestFile);
        if (!File.Exists(path))
            return null;
        JObject root;
        try
        {
            root = JObject.Parse(File.ReadAllText(path));
        }
        catch (JsonReaderException e)
        {
            throw new PackException(
                $"{path} is not valid JSON (line {e.LineNumber}, position {e.LinePosition}): {e.Message}"
            );
        }
        string? Text(string field) =>
            root[field] switch
            {
                null or { Type: JTokenType.Null } => null,
                { Type: JTokenType.String } token => (string)token!,
                _ => throw new PackException($"{path}: field '{field}' is not a string."),
            };
        return new PackMetadata
        {
            Id = Text("id"),
            Version = Text("version"),
            Description = Text("description"),
            License = Text("license"),
            Authors = root["authors"] switch
            {
                null or { Type: JTokenType.Null } => null,
                { Type: JTokenType.String } one => [(string)one!],
                JArray many when many.All(t => t.Type == JTokenType.String) => many.Select(t => (string)t!).ToArray(),
                _ => throw new PackException($"{path}: field 'authors' is not a string or an array of strings."),
            },
        };
    }
}
