namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// A pack being assembled in a temporary folder, laid out as it will be installed: plugins, scripts, race files. The
/// sources (a folder, a project, a race) copy into it; <see cref="PackWriter"/> hashes it and writes the .nupkg.
/// Disposing deletes the folder.
/// </summary>
public sealed class PackStaging : IDisposable
{
    private readonly List<PackPlugin> _plugins = [];

    /// <summary>The folder each packed plugin was copied from, by name.</summary>
    private readonly Dictionary<string, string> _pluginFolders = new(StringComparer.Ordinal);
    private readonly List<PackScript> _scripts = [];

    public PackStaging()
    {
        Root = Path.Combine(Path.GetTempPath(), "nas-pack-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
    public IReadOnlyList<PackPlugin> Plugins => _plugins;
    public IReadOnlyList<PackScript> Scripts => _scripts;
    public PackRace? Race { get; set; }

    /// <summary>What the build should tell its user but that does not stop it (e.g. a file left out, a changed source).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Copies one file to <paramref name="packPath"/> (refusing a symbolic link or a clash with another file).</summary>
    public void AddFile(string sourcePath, string packPath)
    {
        if (PackEntryPath.Problem(packPath) is { } problem)
            throw new PackException($"Cannot pack {sourcePath} as '{packPath}': the path {problem}.");
        if (new FileInfo(sourcePath).LinkTarget is not null)
            throw new PackException(
                $"{sourcePath} is a symbolic link; packs hold plain files only. Copy the file it points to instead."
            );
        string target = PackEntryPath.Resolve(Root, packPath, "staging");
        if (File.Exists(target))
        {
            if (File.ReadAllBytes(target).AsSpan().SequenceEqual(File.ReadAllBytes(sourcePath)))
                return;
            throw new PackException($"Cannot pack {sourcePath} as '{packPath}': another file is already packed there.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(sourcePath, target);
    }

    /// <summary>Copies a built plugin folder (<c>Name/Name.dll</c> and its dependencies) and records what it provides.</summary>
    public void AddPlugin(string pluginFolder)
    {
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(pluginFolder));
        string name = Path.GetFileName(folder);
        if (!File.Exists(Path.Combine(folder, name + ".dll")))
            throw new PackException($"{folder} is not a plugin folder: it has no {name}.dll.");
        if (_pluginFolders.TryGetValue(name, out string? packed))
        {
            // The same plugin again (several contestants from one plugin), or an identical copy: packed once.
            if (packed == folder || SameFiles(packed, folder))
                return;
            throw new PackException(
                $"Two different plugins are named {name} ({packed} and {folder}); a pack's plugins need distinct names."
            );
        }
        foreach (
            string file in Directory
                .EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
        )
            AddFile(
                file,
                $"{PackFormat.PluginsFolder}/{name}/{Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')}"
            );
        _plugins.Add(
            new PackPlugin(name, PackContentsInspector.OfPlugin(Path.Combine(Root, PackFormat.PluginsFolder, name)))
        );
        _pluginFolders[name] = folder;
    }

    /// <summary>Whether two folders hold the same files (relative paths) with the same bytes.</summary>
    private static bool SameFiles(string first, string second)
    {
        string[] Files(string folder) =>
            [
                .. Directory
                    .EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(folder, f))
                    .Order(StringComparer.Ordinal),
            ];
        var files = Files(first);
        return files.SequenceEqual(Files(second))
            && files.All(f =>
                File.ReadAllBytes(Path.Combine(first, f))
                    .AsSpan()
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(second, f)))
            );
    }

    /// <summary>
    /// Copies a script into <c>scripts/</c> and every file it <c>#load</c>s to the same place relative to it (so they
    /// must lie in its folder or below), and records what the script provides. Returns it, with the script's build
    /// (the content hash a race journals).
    /// </summary>
    public (PackScript Script, string Build) AddScript(string scriptPath)
    {
        string full = Path.GetFullPath(scriptPath);
        string packPath = $"{PackFormat.ScriptsFolder}/{Path.GetFileName(full)}";
        if (_scripts.FirstOrDefault(s => s.Path == packPath) is { } packed)
        {
            if (
                File.ReadAllBytes(full)
                    .AsSpan()
                    .SequenceEqual(File.ReadAllBytes(PackEntryPath.Resolve(Root, packPath, "staging")))
            )
                return (packed, "");
            throw new PackException(
                $"Two different scripts are named {Path.GetFileName(full)}; a pack's scripts need distinct names."
            );
        }
        var compiled = new Scripts.ScriptCompiler().Compile(full);
        if (compiled.Script is not { } script)
            throw new PackException(
                $"{full} does not compile, so it cannot be packed:{Environment.NewLine}"
                    + string.Join(Environment.NewLine, compiled.Diagnostics.Where(d => d.IsError))
            );
        using (script)
        {
            string scriptFolder = Path.GetDirectoryName(full)!;
            foreach (string source in script.SourceFiles)
            {
                string relative = Path.GetRelativePath(scriptFolder, source);
                if (
                    relative == ".."
                    || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || Path.IsPathRooted(relative)
                )
                    throw new PackException(
                        $"{full} #loads {source}, which is not in its folder {scriptFolder} or below; a pack keeps a script's #load paths, so it can only carry those."
                    );
                string target = $"{PackFormat.ScriptsFolder}/{relative.Replace(Path.DirectorySeparatorChar, '/')}";
                AddFile(source, target);
            }
            var added = new PackScript(
                packPath,
                new PackProvides(
                    script.Strategies.Select(s => s.Name).ToArray(),
                    script.Estimators.Select(e => e.Name).ToArray(),
                    script.Operations.Select(o => o.Name).ToArray(),
                    script.Spaces.Select(s => s.Name).ToArray()
                )
            );
            _scripts.Add(added);
            return (added, script.Version);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { } // a temp folder left behind is harmless
        catch (UnauthorizedAccessException) { }
    }
}
