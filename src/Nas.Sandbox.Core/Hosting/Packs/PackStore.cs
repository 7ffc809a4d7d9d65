using System.IO.Compression;
using System.Security.Cryptography;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// The installed packs of a Nas.Sandbox home: <c>HOME/packs/&lt;id&gt;/</c>, each holding its manifest and payload,
/// one version per id. An install verifies the pack, extracts it into <c>packs/.staging/</c> (re-hashing every file as
/// it is written), and only then moves it into place; an existing version is moved aside first and moved back if the
/// move fails, so a failure leaves nothing half-installed and the previous version intact. A process killed between
/// the two moves is repaired by the next one that opens the store. Installs and removals hold a lock file.
/// </summary>
public sealed class PackStore
{
    private const string StagingFolder = ".staging",
        TrashFolder = ".trash",
        LockFile = ".lock";

    /// <summary>What moved a folder aside, in its name: only an install's may ever be moved back.</summary>
    private const string InstallAside = "install",
        RemoveAside = "remove";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The store of the home in folder <paramref name="home"/>.</summary>
    public PackStore(string home)
        : this(new NasHome(home)) { }

    public PackStore(NasHome home) => Root = home.Packs;

    /// <summary>The store of the user's home (<see cref="NasHome"/>).</summary>
    public static PackStore ForUser() => new(NasHome.Resolve());

    public string Root { get; }

    /// <summary>How a folder is moved: a rename. Tests replace it to fail the commit and check the rollback.</summary>
    internal Action<string, string> MoveFolder { get; set; } = Directory.Move;

    /// <summary>The installed packs, by id; packs whose manifest cannot be read are in <see cref="Problems"/> instead.</summary>
    public IReadOnlyList<InstalledPack> Installed() => Scan().Packs;

    /// <summary>Installed pack folders that could not be read, with why.</summary>
    public IReadOnlyList<string> Problems() => Scan().Problems;

    public InstalledPack? Find(string id) =>
        Installed().FirstOrDefault(p => string.Equals(p.Manifest.Id, id, StringComparison.OrdinalIgnoreCase));

    public InstallResult Install(string packPath, bool force = false)
    {
        PackVerifier.Verify(packPath); // refuse a bad pack before waiting for the lock
        Directory.CreateDirectory(Root);
        using var _ = FileLock.Acquire(Path.Combine(Root, LockFile), LockTimeout, "Pack store");
        Repair();
        Directory.CreateDirectory(Path.Combine(Root, StagingFolder));
        string copy = Path.Combine(Root, StagingFolder, $"{Guid.NewGuid():N}.nupkg");
        string? staged = null;
        try
        {
            // Verify and extract a private copy: the file given may change after it was checked; the copy cannot.
            File.Copy(packPath, copy);
            var verified = PackVerifier.Verify(copy);
            var manifest = verified.Manifest;
            string target = FolderOf(manifest.Id);
            var previous = TryReadInstalled(target);
            if (
                previous is not null
                && !force
                && previous.Manifest.Version == manifest.Version
                && previous.Manifest.Files.SequenceEqual(manifest.Files)
            )
                return new InstallResult(
                    previous,
                    PreviousVersion: previous.Manifest.Version.ToNormalizedString(),
                    AlreadyInstalled: true
                );

            staged = Path.Combine(Root, StagingFolder, $"{manifest.Id.ToLowerInvariant()}~{Guid.NewGuid():N}");
            try
            {
                Extract(verified, staged);
                string? aside = null;
                if (Directory.Exists(target))
                {
                    aside = Aside(target, InstallAside);
                    MoveFolder(target, aside);
                }
                try
                {
                    MoveFolder(staged, target);
                }
                catch
                {
                    if (aside is not null)
                        Directory.Move(aside, target);
                    throw;
                }
                if (aside is not null)
                    TryDelete(aside);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PackException(
                    $"Installing {manifest.Display} failed, nothing was changed{(previous is null ? "" : $" ({previous.Manifest.Display} is still installed)")}: {e.Message}",
                    e
                );
            }
            return new InstallResult(
                ReadInstalled(target)!,
                previous?.Manifest.Version.ToNormalizedString(),
                AlreadyInstalled: false
            );
        }
        finally
        {
            File.Delete(copy);
            if (staged is not null)
                TryDelete(staged);
        }
    }

    /// <summary>
    /// Removes an installed pack (moved aside first, so a failure leaves it whole). A pack whose manifest can no
    /// longer be read is removed too, by its folder's name (its id in lower case). Returns what was removed.
    /// </summary>
    public (string Display, string Folder) Remove(string id)
    {
        if (!Directory.Exists(Root))
            throw NotInstalled(id);
        using var _ = FileLock.Acquire(Path.Combine(Root, LockFile), LockTimeout, "Pack store");
        Repair();
        string folder = Find(id)?.Folder ?? FolderOf(id);
        if (PackId.Problem(id) is not null || !Directory.Exists(folder))
            throw NotInstalled(id);
        string display = TryReadInstalled(folder)?.Manifest.Display ?? $"{id} (its manifest was unreadable)";
        string aside = Aside(folder, RemoveAside);
        MoveFolder(folder, aside);
        TryDelete(aside);
        return (display, folder);
    }

    /// <summary>
    /// Re-hashes an installed pack's files against its manifest: null when they all match and nothing was added,
    /// otherwise what differs (changed, missing or unlisted files).
    /// </summary>
    public static IReadOnlyList<string> CheckInstalled(InstalledPack pack)
    {
        var problems = new List<string>();
        var listed = new HashSet<string>(StringComparer.Ordinal) { PackFormat.ManifestFile };
        foreach (var file in pack.Manifest.Files)
        {
            listed.Add(file.Path);
            string path = PackEntryPath.Resolve(pack.Folder, file.Path, pack.Manifest.Display);
            if (!File.Exists(path))
            {
                problems.Add($"{file.Path}: missing");
                continue;
            }
            using var stream = File.OpenRead(path);
            if (PackVerifier.Sha256Hex(stream) != file.Sha256)
                problems.Add($"{file.Path}: changed since install (SHA-256 differs from the manifest)");
        }
        foreach (string file in Directory.EnumerateFiles(pack.Folder, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(pack.Folder, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!listed.Contains(relative))
                problems.Add($"{relative}: not in the manifest (added since install)");
        }
        return problems;
    }

    public PackException NotInstalled(string id)
    {
        var installed = Installed();
        return new PackException(
            $"Pack '{id}' is not installed in {Root}. Installed: "
                + (installed.Count == 0 ? "none." : string.Join(", ", installed.Select(p => p.Manifest.Display)) + ".")
        );
    }

    private static void Extract(VerifiedPack verified, string staged)
    {
        string name = Path.GetFileName(verified.Path);
        Directory.CreateDirectory(staged);
        using var archive = PackVerifier.Open(verified.Path, name);
        var entries = archive
            .Entries.Where(e => !e.FullName.EndsWith('/'))
            .ToDictionary(e => Uri.UnescapeDataString(e.FullName), StringComparer.Ordinal);
        foreach (
            var file in verified.Manifest.Files.Append(new PackFile(PackFormat.ManifestFile, verified.ManifestSha256))
        )
        {
            string target = PackEntryPath.Resolve(staged, file.Path, name);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var input = entries[file.Path].Open())
                using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = input.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        output.Write(buffer, 0, read);
                    }
                }
                // A second check of what was written, against what was verified.
                if (Convert.ToHexStringLower(hash.GetHashAndReset()) != file.Sha256)
                    throw new PackException(
                        $"{name}: entry '{file.Path}' changed while it was being installed (SHA-256 differs); nothing was installed."
                    );
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new PackException(
                    $"{name}: entry '{file.Path}' could not be extracted ({e.Message}); nothing was installed.",
                    e
                );
            }
        }
    }

    /// <summary>
    /// Finishes what a killed install or removal left. A pack an install moved aside is moved back only when nothing
    /// took its place and it is still whole (its files match its manifest): that is an install killed between its two
    /// moves. Anything else aside (a removal's, an old version left by a killed delete) and any staging is deleted.
    /// </summary>
    private void Repair()
    {
        string trash = Path.Combine(Root, TrashFolder);
        if (Directory.Exists(trash))
            foreach (string aside in Directory.GetDirectories(trash).OrderByDescending(Directory.GetLastWriteTimeUtc))
            {
                string[] parts = Path.GetFileName(aside).Split('~');
                string folder = Path.Combine(Root, parts[0]);
                if (
                    parts.Length == 3
                    && parts[1] == InstallAside
                    && !Directory.Exists(folder)
                    && TryReadInstalled(aside) is { } pack
                    && CheckInstalled(pack).Count == 0
                )
                    Directory.Move(aside, folder);
                else
                    TryDelete(aside);
            }
        string staging = Path.Combine(Root, StagingFolder);
        if (Directory.Exists(staging))
            foreach (string left in Directory.GetFileSystemEntries(staging))
                if (Directory.Exists(left))
                    TryDelete(left);
                else
                    try
                    {
                        File.Delete(left);
                    }
                    catch (IOException) { }
    }

    /// <summary>Where <paramref name="folder"/> goes aside, named by the operation that moves it (ids never contain '~').</summary>
    private string Aside(string folder, string operation)
    {
        string aside = Path.Combine(Root, TrashFolder, $"{Path.GetFileName(folder)}~{operation}~{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.GetDirectoryName(aside)!);
        return aside;
    }

    private string FolderOf(string id) => Path.Combine(Root, id.ToLowerInvariant());

    private (IReadOnlyList<InstalledPack> Packs, IReadOnlyList<string> Problems) Scan()
    {
        var packs = new List<InstalledPack>();
        var problems = new List<string>();
        if (!Directory.Exists(Root))
            return (packs, problems);
        foreach (
            string folder in Directory
                .GetDirectories(Root)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
        )
        {
            try
            {
                if (ReadInstalled(folder) is { } pack)
                    packs.Add(pack);
                else
                    problems.Add($"{folder}: no {PackFormat.ManifestFile}; not a pack (remove the folder)");
            }
            catch (PackException e)
            {
                problems.Add(e.Message);
            }
        }
        return (packs, problems);
    }

    /// <summary>The pack in <paramref name="folder"/>, or null when there is none or its manifest cannot be read.</summary>
    private static InstalledPack? TryReadInstalled(string folder)
    {
        try
        {
            return ReadInstalled(folder);
        }
        catch (Exception e) when (e is PackException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static InstalledPack? ReadInstalled(string folder)
    {
        string manifestPath = Path.Combine(folder, PackFormat.ManifestFile);
        if (!File.Exists(manifestPath))
            return null;
        return new InstalledPack(folder, PackManifestJson.Read(File.ReadAllText(manifestPath), manifestPath));
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { } // cleared by the next Repair
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>An installed pack: its folder under <c>HOME/packs</c> and its manifest.</summary>
public sealed record InstalledPack(string Folder, PackManifest Manifest)
{
    public string PluginsFolder => Path.Combine(Folder, PackFormat.PluginsFolder);
    public string ScriptsFolder => Path.Combine(Folder, PackFormat.ScriptsFolder);
}

/// <summary>What an install did: the pack as installed, the version it replaced (if any), and whether it was already there.</summary>
public sealed record InstallResult(InstalledPack Pack, string? PreviousVersion, bool AlreadyInstalled);
