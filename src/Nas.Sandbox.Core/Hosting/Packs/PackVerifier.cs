using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Nas.Sandbox.Abstractions;
using NuGet.Packaging;
using NuGet.Versioning;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Checks a pack without installing it and without running any of its code: every entry stays inside the pack
/// (no <c>..</c>, absolute path or symbolic link), it is a NuGet package of the pack type, its manifest is valid and
/// agrees with the .nuspec, every payload file is listed with a SHA-256 that matches and nothing unlisted is there,
/// what the contents name exists, and the host's API version is in the pack's range, as is the API each plugin was
/// compiled against (read from its metadata, not by loading it). Any failure is a <see cref="PackException"/> naming
/// the entry or manifest field.
/// </summary>
public static class PackVerifier
{
    /// <summary>Bigger than any honest pack; refuses a zip bomb before anything is written.</summary>
    public const long MaxUncompressedBytes = 4L << 30;

    public static VerifiedPack Verify(string packPath)
    {
        string name = Path.GetFileName(packPath);
        if (!File.Exists(packPath))
            throw new PackException($"Pack {packPath} not found.");
        // A damaged archive can fail anywhere an entry is read (central directory, a deflate stream, a length):
        // every such failure is the pack's, and is reported as one.
        try
        {
            return VerifyArchive(packPath, name);
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            throw new PackException($"{name}: the archive is damaged ({e.Message}); refused.", e);
        }
    }

    private static VerifiedPack VerifyArchive(string packPath, string name)
    {
        using var archive = Open(packPath, name);

        var payload = CheckEntries(archive, name);
        var nuspec = ReadNuspec(archive, name);
        if (!payload.Remove(PackFormat.ManifestFile, out var manifestEntry))
            throw new PackException(
                $"{name}: the manifest {PackFormat.ManifestFile} is missing: this is not a Nas.Sandbox pack."
            );
        var (manifest, manifestSha256) = ReadManifest(manifestEntry, name);
        CheckAgainstNuspec(manifest, nuspec, name);
        CheckFiles(manifest, payload, name);
        CheckContents(manifest, name);
        var pluginApis = CheckApi(manifest, payload, name);
        return new VerifiedPack(Path.GetFullPath(packPath), manifest, manifestSha256, pluginApis);
    }

    internal static ZipArchive Open(string packPath, string name)
    {
        try
        {
            return ZipFile.OpenRead(packPath);
        }
        catch (InvalidDataException e)
        {
            throw new PackException($"{name}: not a pack: it is not a zip archive ({e.Message}).");
        }
    }

    /// <summary>Payload entries by their (unescaped) path, after checking every entry's path and kind.</summary>
    private static Dictionary<string, ZipArchiveEntry> CheckEntries(ZipArchive archive, string name)
    {
        var payload = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            string raw = entry.FullName;
            // NuGet escapes entry names (a space is %20); check the name as stored and as it would be written.
            string path = Uri.UnescapeDataString(raw);
            bool directory = raw.EndsWith('/');
            string checkedPath = directory ? path.TrimEnd('/') : path;
            if ((PackEntryPath.Problem(raw.TrimEnd('/')) ?? PackEntryPath.Problem(checkedPath)) is { } problem)
                throw new PackException($"{name}: entry '{raw}' {problem}; refused.");
            if (IsSymbolicLink(entry))
                throw new PackException($"{name}: entry '{raw}' is a symbolic link; refused.");
            if (directory)
                continue;
            if (!seen.Add(path))
                throw new PackException($"{name}: entry '{path}' appears twice (names differ only in case?); refused.");
            total += entry.Length;
            if (total > MaxUncompressedBytes)
                throw new PackException(
                    $"{name}: entries unpack to more than {MaxUncompressedBytes >> 30} GiB; refused."
                );
            if (!PackFormat.IsNuGetPart(path))
                payload[path] = entry;
        }
        // A file where another entry needs a folder (scripts/a and scripts/a/b.csx) could not be extracted.
        foreach (string path in seen)
            for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
                if (seen.Contains(path[..slash]))
                    throw new PackException(
                        $"{name}: entry '{path[..slash]}' is a file, but entry '{path}' needs a folder there; refused."
                    );
        return payload;
    }

    /// <summary>A zip made on Unix keeps the file mode in the high 16 bits of the external attributes.</summary>
    internal static bool IsSymbolicLink(ZipArchiveEntry entry) => ((entry.ExternalAttributes >> 16) & 0xF000) == 0xA000;

    private static NuspecReader ReadNuspec(ZipArchive archive, string name)
    {
        var nuspecs = archive
            .Entries.Where(e =>
                !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase)
            )
            .ToArray();
        if (nuspecs.Length != 1)
            throw new PackException(
                $"{name}: not a NuGet package: it has {(nuspecs.Length == 0 ? "no" : nuspecs.Length.ToString(CultureInfo.InvariantCulture))} .nuspec at its root, not one."
            );
        NuspecReader nuspec;
        try
        {
            using var stream = nuspecs[0].Open();
            nuspec = new NuspecReader(stream);
            _ = nuspec.GetIdentity();
        }
        catch (Exception e) when (e is not PackException)
        {
            throw new PackException($"{name}: entry '{nuspecs[0].FullName}' is not a valid .nuspec: {e.Message}");
        }
        var types = nuspec.GetPackageTypes();
        if (!types.Any(t => t.Name == PackFormat.PackageType))
            throw new PackException(
                $"{name}: entry '{nuspecs[0].FullName}' gives package type "
                    + $"{(types.Count == 0 ? "none (a library package)" : string.Join(", ", types.Select(t => t.Name)))}, not {PackFormat.PackageType}: "
                    + "this NuGet package is not a Nas.Sandbox pack."
            );
        return nuspec;
    }

    private static (PackManifest Manifest, string Sha256) ReadManifest(ZipArchiveEntry entry, string name)
    {
        using var bytes = new MemoryStream();
        using (var stream = entry.Open())
            stream.CopyTo(bytes);
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
        return (PackManifestJson.Read(System.Text.Encoding.UTF8.GetString(bytes.ToArray()), name), sha);
    }

    private static void CheckAgainstNuspec(PackManifest manifest, NuspecReader nuspec, string name)
    {
        var identity = nuspec.GetIdentity();
        if (!string.Equals(manifest.Id, identity.Id, StringComparison.OrdinalIgnoreCase))
            throw new PackException(
                $"{name}: {PackFormat.ManifestFile} field 'id' is '{manifest.Id}' but the .nuspec says '{identity.Id}'."
            );
        if (!VersionComparer.Default.Equals(NuGetVersion.Parse(manifest.Version.ToFullString()), identity.Version))
            throw new PackException(
                $"{name}: {PackFormat.ManifestFile} field 'version' is {manifest.Version} but the .nuspec says {identity.Version}."
            );
    }

    private static void CheckFiles(PackManifest manifest, Dictionary<string, ZipArchiveEntry> payload, string name)
    {
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < manifest.Files.Count; i++)
        {
            var file = manifest.Files[i];
            if (!listed.Add(file.Path))
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'files[{i}].path' lists '{file.Path}' a second time."
                );
            if (file.Path == PackFormat.ManifestFile || PackFormat.IsNuGetPart(file.Path))
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'files[{i}].path' names '{file.Path}', which is not a payload file."
                );
            if (!payload.TryGetValue(file.Path, out var entry))
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'files[{i}].path' names '{file.Path}', which is not in the pack."
                );
            using var stream = entry.Open();
            string actual = Sha256Hex(stream);
            if (actual != file.Sha256)
                throw new PackException(
                    $"{name}: entry '{file.Path}' does not match its SHA-256: the manifest says {file.Sha256}, the entry hashes to {actual}; refused."
                );
        }
        foreach (string path in payload.Keys.Where(p => !listed.Contains(p)).Order(StringComparer.Ordinal))
            throw new PackException(
                $"{name}: entry '{path}' is not listed in {PackFormat.ManifestFile}'s files, so it has no SHA-256 to check; refused."
            );
    }

    private static void CheckContents(PackManifest manifest, string name)
    {
        var files = manifest.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < manifest.Plugins.Count; i++)
            if (!files.Contains(manifest.Plugins[i].AssemblyPath))
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'contents.plugins[{i}]' names plugin '{manifest.Plugins[i].Name}', but {manifest.Plugins[i].AssemblyPath} is not in the pack's files."
                );
        for (int i = 0; i < manifest.Scripts.Count; i++)
        {
            string path = manifest.Scripts[i].Path;
            if (
                !path.StartsWith(PackFormat.ScriptsFolder + "/", StringComparison.Ordinal)
                || path.IndexOf('/', PackFormat.ScriptsFolder.Length + 1) >= 0
                || !path.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)
            )
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'contents.scripts[{i}].path' is '{path}'; a pack's scripts are {PackFormat.ScriptsFolder}/NAME.csx."
                );
            if (!files.Contains(path))
                throw new PackException(
                    $"{name}: {PackFormat.ManifestFile} field 'contents.scripts[{i}].path' names '{path}', which is not in the pack's files."
                );
        }
        // Hosts load every script and plugin folder of an installed pack: each must be declared, so verify shows it.
        var declaredScripts = manifest.Scripts.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        var declaredPlugins = manifest.Plugins.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string path in files.Order(StringComparer.Ordinal))
        {
            string[] parts = path.Split('/');
            if (
                parts[0] == PackFormat.ScriptsFolder
                && parts.Length == 2
                && path.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)
                && !declaredScripts.Contains(path)
            )
                throw new PackException(
                    $"{name}: entry '{path}' is a script that {PackFormat.ManifestFile}'s contents.scripts does not declare; refused (it would run once installed)."
                );
            if (parts[0] == PackFormat.PluginsFolder && parts.Length >= 3 && !declaredPlugins.Contains(parts[1]))
                throw new PackException(
                    $"{name}: entry '{path}' is in plugin folder '{parts[1]}', which {PackFormat.ManifestFile}'s contents.plugins does not declare; refused (it would run once installed)."
                );
        }
        if (manifest.Race?.Journal is { } journal && !files.Contains(journal))
            throw new PackException(
                $"{name}: {PackFormat.ManifestFile} field 'race.journal' names '{journal}', which is not in the pack's files."
            );
    }

    private static IReadOnlyDictionary<string, Version> CheckApi(
        PackManifest manifest,
        Dictionary<string, ZipArchiveEntry> payload,
        string name
    )
    {
        var host = new NuGetVersion(ApiVersion.Current.Major, ApiVersion.Current.Minor, 0);
        if (!manifest.Api.Satisfies(host))
            throw new PackException(
                $"{name}: {PackFormat.ManifestFile} field 'api': the pack needs Nas.Sandbox API {manifest.Api.ToNormalizedString()}; "
                    + $"this host provides API {ApiVersion.Current.Major}.{ApiVersion.Current.Minor}."
            );
        var apis = new Dictionary<string, Version>(StringComparer.Ordinal);
        foreach (var plugin in manifest.Plugins)
        {
            using var bytes = new MemoryStream();
            using (var entry = payload[plugin.AssemblyPath].Open())
                entry.CopyTo(bytes);
            bytes.Position = 0;
            Version? api;
            try
            {
                api = PluginApiCheck.ReferencedApiVersion(bytes, plugin.AssemblyPath);
            }
            catch (BadImageFormatException e)
            {
                throw new PackException(
                    $"{name}: entry '{plugin.AssemblyPath}' is not a .NET assembly ({e.Message}); refused."
                );
            }
            if (PluginApiCheck.Incompatibility(plugin.Name, api) is { } reason)
                throw new PackException($"{name}: entry '{plugin.AssemblyPath}': {reason}");
            apis[plugin.Name] = api!;
        }
        return apis;
    }

    public static string Sha256Hex(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));
}

/// <summary>A pack that passed <see cref="PackVerifier.Verify"/>: its path, manifest (and the manifest's SHA-256), and each plugin's API version.</summary>
public sealed record VerifiedPack(
    string Path,
    PackManifest Manifest,
    string ManifestSha256,
    IReadOnlyDictionary<string, Version> PluginApis
);
