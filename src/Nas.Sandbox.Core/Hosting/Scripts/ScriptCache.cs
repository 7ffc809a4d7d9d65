using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Nas.Sandbox.Abstractions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Compiled scripts kept on disk, so that a host meeting a script it has compiled before loads the assembly instead of
/// starting Roslyn: every <c>nas</c> command that reads the shipped scripts, every resumed race and every worker or
/// contestant process that needs a script. The shipped scripts take about 3 s of CPU to compile in a new process and
/// 0.3 s to load from here.
/// </summary>
/// <remarks>
/// <para><b>Where:</b> <c>$NAS_SCRIPT_CACHE</c> if set (<c>off</c> turns the cache off; a relative path is taken from
/// each process's working folder), else <c>cache/scripts</c> in the home (<see cref="NasHome"/>). Deleting the folder
/// is always safe.</para>
/// <para><b>When an entry is used:</b> its key is the SHA-256 of everything the compiler's output depends on that is not
/// in the files: this format, this assembly (the compile options) and the contracts and TorchSharp (by module version
/// id, which changes with any rebuild that changes them), the .NET runtime, Roslyn's assemblies and every reference
/// assembly (each by path, length and write time: a file replaced in place changes them), the script's full path (it
/// is in the PDB and in every diagnostic) and the script's bytes. The files the script <c>#load</c>-s are checked on
/// every use against the SHA-256 of the text compiled, since the key cannot name them without parsing the script (a
/// loaded file that is not UTF-8 never matches, so a script that loads one is compiled every time).</para>
/// <para><b>Only successes are kept</b>: a script with an error, or one that throws while loading, is compiled afresh
/// every time, so its diagnostics always come from the compiler. An entry is one file written whole and renamed into
/// place, so a reader sees all of it or nothing, and its first line is the SHA-256 of the rest: a truncated, corrupt or
/// edited entry is a miss, never an error, and a build from the cache that fails to load is dropped and compiled
/// afresh (<see cref="ScriptCompiler"/>). Nothing here can fail a script that compiles: a cache that cannot be read or
/// written is not used. At most <see cref="MaxEntries"/> entries are kept; the least recently used go first.</para>
/// </remarks>
internal sealed class ScriptCache(string folder)
{
    public const string Variable = "NAS_SCRIPT_CACHE";
    public const string Off = "off";
    public const int MaxEntries = 256;
    private const int Format = 2;

    public string Folder { get; } = folder;

    /// <summary>The cache this process uses (see remarks), or null when it is off or there is no home.</summary>
    public static ScriptCache? FromEnvironment() =>
        Resolve(Environment.GetEnvironmentVariable(Variable), NasHome.TryResolve);

    /// <summary>The rule of <see cref="FromEnvironment"/> over a given <c>NAS_SCRIPT_CACHE</c> value and home.</summary>
    internal static ScriptCache? Resolve(string? chosen, Func<NasHome?> home)
    {
        if (string.Equals(chosen, Off, StringComparison.OrdinalIgnoreCase))
            return null;
        if (!string.IsNullOrEmpty(chosen))
            return new ScriptCache(Path.GetFullPath(chosen));
        return home() is { } found ? new ScriptCache(found.ScriptCache) : null;
    }

    public static string Key(string fullPath, byte[] source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add($"nas-script-cache {Format}");
        foreach (var assembly in HostAssemblies)
            Add($"{assembly.GetName().Name} {assembly.ManifestModule.ModuleVersionId}");
        Add(RuntimeInformation.FrameworkDescription);
        // The compiler's own files, and every reference: a file replaced in place changes its length or write time.
        foreach (string file in CompilerFiles().Concat(ScriptReferences.Paths()))
            Add(FileIdentity(file));
        Add(fullPath);
        hash.AppendData(source);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
    }

    /// <summary>This assembly (the compiler and its options), the contracts and TorchSharp: what a build depends on.</summary>
    private static readonly Assembly[] HostAssemblies =
    [
        typeof(ScriptCache).Assembly,
        typeof(IStrategy).Assembly,
        typeof(IOperation).Assembly,
        typeof(TorchSharp.torch).Assembly,
    ];

    /// <summary>Roslyn's assemblies, found without loading them (a hit must not start the compiler).</summary>
    private static IEnumerable<string> CompilerFiles() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetFileName(p) is "Microsoft.CodeAnalysis.dll" or "Microsoft.CodeAnalysis.CSharp.dll")
            .Order(StringComparer.Ordinal);

    private static string FileIdentity(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{path} {file.Length} {file.LastWriteTimeUtc.Ticks}" : $"{path} missing";
    }

    public static string TextSha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The build kept under <paramref name="key"/>, if there is one, intact (the entry's hash matches its content),
    /// whose loaded files are unchanged; null otherwise, whatever is wrong with the entry.
    /// </summary>
    public ScriptBuild? TryLoad(string key)
    {
        string path = EntryPath(key);
        try
        {
            if (!File.Exists(path))
                return null;
            string text = File.ReadAllText(path);
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline < 0 || text[..newline] != TextSha256(text[(newline + 1)..]))
                return null;
            var entry = JObject.Parse(text[(newline + 1)..]);
            if ((int?)entry["format"] != Format || (string?)entry["key"] != key)
                return null;
            var build = Read(entry);
            foreach (var source in build.Sources)
                if (!File.Exists(source.Path) || TextSha256(ReadText(source.Path)) != source.TextSha256)
                    return null;
            TryTouch(path);
            return build;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // unreadable or corrupt (any way it can be): compile instead
        }
    }

    /// <summary>Drops the entry under <paramref name="key"/> (one that failed to load), if it can.</summary>
    public void Remove(string key) => TryDelete(EntryPath(key));

    /// <summary>Keeps the build under <paramref name="key"/>; does nothing when the folder cannot be written.</summary>
    public void Store(string key, ScriptBuild build)
    {
        string path = EntryPath(key);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Folder);
            // The first line is the SHA-256 of the rest, so a reader trusts every field, not only the assembly.
            string content = Write(key, build).ToString(Formatting.None);
            File.WriteAllText(temporary, TextSha256(content) + "\n" + content);
            File.Move(temporary, path, overwrite: true);
            Prune();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
        }
    }

    private string EntryPath(string key) => Path.Combine(Folder, key + ".json");

    /// <summary>What the compiler read for a loaded file: its text, decoded as UTF-8 unless a byte-order mark says otherwise.</summary>
    private static string ReadText(string path) => File.ReadAllText(path, Encoding.UTF8);

    private static JObject Write(string key, ScriptBuild build) =>
        new()
        {
            ["format"] = Format,
            ["key"] = key,
            ["version"] = build.Version,
            ["entryType"] = build.EntryType,
            ["entryMethod"] = build.EntryMethod,
            ["sources"] = new JArray(
                build.Sources.Select(s => new JObject { ["path"] = s.Path, ["textSha256"] = s.TextSha256 })
            ),
            ["publicTypes"] = new JArray(build.PublicTypes),
            ["declarations"] = new JArray(
                build.Declarations.Select(d => new JObject
                {
                    ["name"] = d.Name,
                    ["file"] = d.File,
                    ["line"] = d.Line,
                    ["column"] = d.Column,
                })
            ),
            ["warnings"] = new JArray(
                build.Warnings.Select(w => new JObject
                {
                    ["file"] = w.File,
                    ["line"] = w.Line,
                    ["column"] = w.Column,
                    ["severity"] = w.Severity,
                    ["code"] = w.Code,
                    ["message"] = w.Message,
                })
            ),
            ["assembly"] = Convert.ToBase64String(build.Assembly),
            ["pdb"] = Convert.ToBase64String(build.Pdb),
        };

    private static ScriptBuild Read(JObject entry) =>
        new(
            Convert.FromBase64String((string)entry["assembly"]!),
            Convert.FromBase64String((string)entry["pdb"]!),
            (string)entry["entryType"]!,
            (string)entry["entryMethod"]!,
            (string)entry["version"]!,
            entry["sources"]!.Select(s => new ScriptSourceFile((string)s["path"]!, (string)s["textSha256"]!)).ToArray(),
            entry["publicTypes"]!.Select(t => (string)t!).ToArray(),
            entry["declarations"]!
                .Select(d => new ScriptTypeDeclaration(
                    (string)d["name"]!,
                    (string)d["file"]!,
                    (int)d["line"]!,
                    (int)d["column"]!
                ))
                .ToArray(),
            entry["warnings"]!
                .Select(w => new ScriptDiagnostic(
                    (string)w["file"]!,
                    (int)w["line"]!,
                    (int)w["column"]!,
                    (string)w["severity"]!,
                    (string)w["code"]!,
                    (string)w["message"]!
                ))
                .ToArray()
        );

    /// <summary>
    /// Drops the least recently used entries (by write time, which a use refreshes) beyond <see cref="MaxEntries"/>, and
    /// temporary files more than an hour old.
    /// </summary>
    private void Prune()
    {
        var folder = new DirectoryInfo(Folder);
        // A writer killed between writing and renaming leaves its temporary file behind.
        foreach (var orphan in folder.GetFiles("*.tmp").Where(f => f.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)))
            TryDelete(orphan.FullName);
        var entries = folder.GetFiles("*.json");
        if (entries.Length <= MaxEntries)
            return;
        foreach (var stale in entries.OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxEntries))
            TryDelete(stale.FullName);
    }

    private static void TryTouch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // only the order of pruning
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // another process's, or gone
    }
}
