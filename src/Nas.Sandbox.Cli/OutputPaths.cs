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

    /// <summary>Writes the files of <paramref name="contents"/> whole: each to a temporary, then all moved into place.</summary>
    public static void WriteAll(params (string Path, byte[] Content)[] contents)
    {
        var temporaries = new List<string>();
        try
        {
            foreach (var (path, content) in contents)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                string temporary = Path.Combine(
                    Path.GetDirectoryName(path)!,
                    $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp"
                );
                temporaries.Add(temporary);
                System.IO.File.WriteAllBytes(temporary, content);
            }
            for (int i = 0; i < contents.Length; i++)
                System.IO.File.Move(temporaries[i], contents[i].Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (string temporary in temporaries)
                try
                {
                    System.IO.File.Delete(temporary);
                }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            throw new NasException(
                $"cannot write {string.Join(" and ", contents.Select(c => c.Path))}: {e.Message}",
                e
            );
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
