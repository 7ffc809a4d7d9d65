using Nas.Sandbox.Core;

namespace Nas.Sandbox.Cli;

/// <summary>
/// Output paths checked before any work is done (one error naming the option, never a stack trace), and files written
/// whole: to a temporary beside the target, then moved into place, so that a failed write leaves nothing half-written.
/// </summary>
internal static class OutputPaths
{
    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;

    /// <summary>
    /// The full path of a file to write for <paramref name="option"/>: refuses an empty path, a folder, a path under a
    /// file, and any of <paramref name="inputs"/> (a command's output must not overwrite what it reads).
    /// </summary>
    public static string File(string path, string option, params string[] inputs)
    {
        string full = Full(path, option);
        if (Directory.Exists(full))
            throw new NasException($"{option} {path}: is a folder; give a file path.");
        CheckParents(full, path, option);
        foreach (string input in inputs)
            if (string.Equals(full, Path.GetFullPath(input), PathComparison))
                throw new NasException(
                    $"{option} {path}: is the input {input}, which would be overwritten; give another path."
                );
        return full;
    }

    /// <summary>The full path of a folder to write into for <paramref name="option"/>: refuses '', a file, a path under a file.</summary>
    public static string Folder(string path, string option)
    {
        string full = Full(path, option);
        if (System.IO.File.Exists(full))
            throw new NasException($"{option} {path}: is a file; give a folder.");
        CheckParents(full, path, option);
        return full;
    }

    /// <summary>
    /// Writes the files of <paramref name="contents"/> whole and together: each to a temporary, then all moved into
    /// place. If any cannot be written or moved, every target is left as it was before the call (a file it replaced is
    /// put back, a file it created is removed), so a pair such as a CSV and its chart never disagree.
    /// </summary>
    public static void WriteAll(params (string Path, byte[] Content)[] contents)
    {
        var temporaries = new List<string>();
        var placed = new List<PlacedFile>();
        try
        {
            foreach (var (path, content) in contents)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                string temporary = Beside(path, "tmp");
                temporaries.Add(temporary);
                System.IO.File.WriteAllBytes(temporary, content);
            }
            for (int i = 0; i < contents.Length; i++)
                placed.Add(Place(temporaries[i], contents[i].Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Undo in reverse, so each target gets back exactly what it held; then drop what was never placed.
            for (int i = placed.Count - 1; i >= 0; i--)
                Quietly(() => placed[i].Undo());
            foreach (string temporary in temporaries)
                Quietly(() => System.IO.File.Delete(temporary));
            throw new NasException(
                $"cannot write {string.Join(" and ", contents.Select(c => c.Path))}: {e.Message}",
                e
            );
        }
        foreach (var file in placed)
            Quietly(file.DropBackup);
    }

    /// <summary>
    /// Moves <paramref name="temporary"/> onto <paramref name="target"/>, first moving aside what the target held (to a
    /// backup beside it) so that the move can be undone. A failed move puts the backup straight back.
    /// </summary>
    private static PlacedFile Place(string temporary, string target)
    {
        string? backup = null;
        if (System.IO.File.Exists(target))
        {
            backup = Beside(target, "old");
            System.IO.File.Move(target, backup, overwrite: true);
        }
        try
        {
            System.IO.File.Move(temporary, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (backup is not null)
                Quietly(() => System.IO.File.Move(backup, target, overwrite: true));
            throw;
        }
        return new PlacedFile(target, backup);
    }

    private static string Beside(string path, string suffix) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{suffix}");

    private static void Quietly(Action cleanup)
    {
        try
        {
            cleanup();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>A target written by <see cref="WriteAll"/>, and the backup of what it held before (null: nothing).</summary>
    private sealed record PlacedFile(string Target, string? Backup)
    {
        public void Undo()
        {
            if (Backup is null)
                System.IO.File.Delete(Target);
            else
                System.IO.File.Move(Backup, Target, overwrite: true);
        }

        public void DropBackup()
        {
            if (Backup is not null)
                System.IO.File.Delete(Backup);
        }
    }

    private static string Full(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new NasException($"{option}: the path is empty.");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new NasException($"{option} {path}: not a valid path ({e.Message}).", e);
        }
    }

    private static void CheckParents(string full, string given, string option)
    {
        for (string? parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
            if (System.IO.File.Exists(parent))
                throw new NasException($"{option} {given}: {parent} is a file, not a folder.");
    }
}
