namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// The rule every path inside a pack obeys, whether it is a zip entry or a manifest field: relative, forward slashes,
/// no empty, <c>.</c> or <c>..</c> segment, no drive or root, no control characters. A path that obeys it cannot escape
/// the folder a pack is extracted to (a "zip slip"); the extractor still checks the final full path as a second guard.
/// </summary>
public static class PackEntryPath
{
    /// <summary>Null when <paramref name="path"/> is a safe relative pack path, otherwise why not.</summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
            return "is empty";
        if (path.StartsWith('/') || path.StartsWith('\\'))
            return "is an absolute path";
        if (path.Length >= 2 && path[1] == ':')
            return "is an absolute path (drive letter)";
        if (path.Contains('\\'))
            return "contains a backslash";
        if (path.Any(char.IsControl))
            return "contains a control character";
        foreach (string segment in path.Split('/'))
        {
            if (segment == "..")
                return "escapes the pack folder (..)";
            if (segment is "" or ".")
                return "has an empty or '.' segment";
        }
        return null;
    }

    /// <summary>
    /// The full path of <paramref name="path"/> under <paramref name="root"/>; throws when it would land outside root
    /// (the second guard: it holds even if <see cref="Problem"/> missed a trick).
    /// </summary>
    public static string Resolve(string root, string path, string packName)
    {
        string fullRoot = Path.GetFullPath(root);
        string full = Path.GetFullPath(Path.Combine(fullRoot, path));
        string prefix = fullRoot.EndsWith(Path.DirectorySeparatorChar)
            ? fullRoot
            : fullRoot + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
            throw new PackException($"{packName}: entry '{path}' escapes the pack folder.");
        return full;
    }
}
