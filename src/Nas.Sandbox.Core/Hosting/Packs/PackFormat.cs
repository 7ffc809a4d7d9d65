namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// The shape of a pack. A pack is a NuGet package (.nupkg) whose package type is <see cref="PackageType"/>, so it lives
/// on any NuGet feed and a local folder of .nupkg files is a feed. Beside NuGet's own entries (the .nuspec and the
/// OPC parts) it holds <see cref="ManifestFile"/> and the payload: <c>plugins/&lt;Name&gt;/&lt;Name&gt;.dll</c> (with
/// the plugin's dependencies), <c>scripts/*.csx</c> (and the files they <c>#load</c>, in sub-folders), and for a
/// shared race <c>race/</c> (its journal and any table it looked up).
/// </summary>
public static class PackFormat
{
    public const string PackageType = "NasSandboxPack";
    public const string ManifestFile = "nas-pack.json";
    public const string PluginsFolder = "plugins";
    public const string ScriptsFolder = "scripts";
    public const string RaceFolder = "race";
    public const int Schema = 1;

    /// <summary>Entries NuGet itself writes (OPC parts, signature) that are not payload and are never extracted.</summary>
    public static bool IsNuGetPart(string entry) =>
        entry is "[Content_Types].xml" or "_rels/.rels" or ".signature.p7s"
        || entry.StartsWith("package/services/metadata/", StringComparison.Ordinal)
        || (entry.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !entry.Contains('/'));

    /// <summary>The main assembly of a plugin in a pack, e.g. <c>plugins/My.Search/My.Search.dll</c>.</summary>
    public static string PluginAssemblyPath(string pluginName) => $"{PluginsFolder}/{pluginName}/{pluginName}.dll";
}
