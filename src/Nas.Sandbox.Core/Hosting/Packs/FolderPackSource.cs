namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Stages a folder: its <c>*.csx</c> scripts (at the top, or in <c>scripts/</c>) with the files they <c>#load</c>,
/// any built plugins in <c>plugins/NAME/</c>, and a top-level README and LICENSE. Its <c>nas-pack.json</c>, if any,
/// supplies the metadata (id, version, description, authors, license); the id defaults to the folder's name. A
/// built pack's installed folder has this layout too, so it can be packed again.
/// </summary>
public static class FolderPackSource
{
    private static readonly string[] Documents = ["README.md", "README.txt", "LICENSE", "LICENSE.md", "LICENSE.txt"];

    public static PackMetadata Stage(string folder, PackStaging staging)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new PackException("SOURCE is empty: give a pack project or a folder of scripts.");
        if (File.Exists(folder))
            throw new PackException(
                $"{folder} is a file; nas pack build takes a project (its .csproj, or the folder holding it) or a folder of scripts."
            );
        if (!Directory.Exists(folder))
            throw new PackException($"{folder}: no such folder.");
        string full = Path.GetFullPath(folder);
        foreach (string script in Directory.GetFiles(full, "*.csx").Order(StringComparer.Ordinal))
            staging.AddScript(script);
        string scripts = Path.Combine(full, PackFormat.ScriptsFolder);
        if (Directory.Exists(scripts))
            foreach (string script in Directory.GetFiles(scripts, "*.csx").Order(StringComparer.Ordinal))
                staging.AddScript(script);
        string plugins = Path.Combine(full, PackFormat.PluginsFolder);
        if (Directory.Exists(plugins))
            foreach (string plugin in Directory.GetDirectories(plugins).Order(StringComparer.Ordinal))
                staging.AddPlugin(plugin);
        foreach (string document in Documents.Select(d => Path.Combine(full, d)).Where(File.Exists))
            staging.AddFile(document, Path.GetFileName(document));
        return (PackMetadata.FromFolder(full) ?? new PackMetadata()).Or(
            new PackMetadata { Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(full)) }
        );
    }
}
