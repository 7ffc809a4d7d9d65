namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Brings a user's files from the old places into the one home (<see cref="NasHome"/>) and says what it did; a host
/// runs it once at start and shows the notices it returns (Core prints nothing). Nothing of the user's is ever deleted:
/// <list type="bullet">
/// <item>Default home (<c>~/.nas</c>) and <c>~/.nas-sandbox</c> exists: each entry of <c>~/.nas-sandbox</c> is renamed
/// into <c>~/.nas</c> when nothing there has its name. A rename is whole or nothing (a move that would need a copy,
/// across file systems, fails instead and the entry stays, read from where it is). Where both exist, the old one stays
/// and the new one is used. <c>~/.nas-sandbox</c> is removed only when that leaves it empty. Two processes starting
/// at once take turns through a lock file in the new home, so only the first moves anything.</item>
/// <item>A home chosen with NAS_HOME elsewhere: nothing moves (the user chose that folder; tests rely on it), but
/// <c>~/.nas/plugins</c> or <c>~/.nas/scripts</c> holding files, and an existing <c>~/.nas-sandbox</c>, are named as
/// not read.</item>
/// </list>
/// </summary>
public static class NasHomeMigration
{
    public const string LockFile = ".migrate.lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs over the process's home; none when there is no home to resolve (the commands that need one say so).</summary>
    public static IReadOnlyList<string> Run() => NasHome.TryResolve() is { } home ? Run(home) : [];

    /// <param name="move">How an entry is moved: a rename that fails rather than copy or replace. Tests make it fail.</param>
    /// <returns>One-line notices, without a prefix; none when there was nothing to do or say.</returns>
    public static IReadOnlyList<string> Run(NasHome home, Action<string, string>? move = null)
    {
        if (home.UserProfile is null)
            return [];
        if (!home.IsDefault)
        {
            try
            {
                return NotRead(home);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            } // a hint only
        }
        try
        {
            return Migrate(home, move ?? Directory.Move);
        }
        catch (DirectoryNotFoundException) when (!Directory.Exists(home.LegacyFolder))
        {
            // Another process starting at the same moment moved everything and removed the old folder between this
            // one's first look (outside the lock) and its next: nothing is left to move or say.
            return [];
        }
        catch (Exception e) when (e is NasException or IOException or UnauthorizedAccessException)
        {
            // Before any move (the lock, creating the home, listing the old one): everything is still read from where it is.
            return
            [
                $"{home.LegacyFolder} was not moved into {home.Folder} ({e.Message}); its league and packs are read from where they are",
            ];
        }
    }

    private static IReadOnlyList<string> Migrate(NasHome home, Action<string, string> move)
    {
        string legacy = home.LegacyFolder!;
        if (!Directory.Exists(legacy) || IsLinkTo(legacy, home.Folder))
            return [];
        Directory.CreateDirectory(home.Folder);
        using var _ = FileLock.Acquire(Path.Combine(home.Folder, LockFile), LockTimeout, "Home migration");
        if (!Directory.Exists(legacy))
            return []; // another process moved everything while this one waited

        var moved = new List<string>();
        var notices = new List<string>();
        foreach (string entry in Directory.GetFileSystemEntries(legacy).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            string target = Path.Combine(home.Folder, name);
            if (Path.Exists(target) || new FileInfo(target).LinkTarget is not null)
            {
                notices.Add(
                    $"{entry} was not moved: {target} exists too and is the one used; compare them and delete the one you do not need"
                );
                continue;
            }
            try
            {
                move(entry, target);
                moved.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                bool read = name is NasHome.LeagueName or NasHome.PacksName;
                notices.Add(
                    $"could not move {entry} to {target} ({e.Message}); it stays where it is{(read ? " and is read from there" : "")}"
                );
            }
        }
        bool removed = RemoveIfEmpty(legacy);
        if (moved.Count > 0)
            notices.Insert(
                0,
                $"moved {string.Join(", ", moved)} from {legacy} to {home.Folder}, the one home folder now"
                    + (removed ? $"; removed the empty {legacy}" : "")
            );
        return notices;
    }

    private static IReadOnlyList<string> NotRead(NasHome home)
    {
        string defaultFolder = home.DefaultFolder!,
            legacy = home.LegacyFolder!;
        var unread = new List<string>();
        foreach (string name in new[] { NasHome.PluginsName, NasHome.ScriptsName })
        {
            string folder = Path.Combine(defaultFolder, name);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
                unread.Add(folder);
        }
        if (Directory.Exists(legacy) && !NasHome.SamePath(legacy, home.Folder))
            unread.Add(legacy);
        if (unread.Count == 0)
            return [];
        string list = unread.Count == 1 ? unread[0] : $"{string.Join(", ", unread.SkipLast(1))} and {unread[^1]}";
        return
        [
            $"{NasHome.Variable} is {home.Folder}, so {list} {(unread.Count == 1 ? "is" : "are")} not read; move what you need into "
                + $"{home.Folder} ({NasHome.PluginsName}/, {NasHome.ScriptsName}/, {NasHome.PacksName}/, {NasHome.LeagueName}) or unset {NasHome.Variable} to use {defaultFolder}",
        ];
    }

    /// <summary>Deletes the folder only if it is empty (never its contents); true when it is gone.</summary>
    private static bool RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.EnumerateFileSystemEntries(folder).Any())
                return false;
            Directory.Delete(folder, recursive: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="legacy"/> is a link to the home itself (someone joined them by hand): nothing to move.</summary>
    private static bool IsLinkTo(string legacy, string home) =>
        Directory.ResolveLinkTarget(legacy, returnFinalTarget: true) is { } target
        && NasHome.SamePath(target.FullName, home);
}
