using System.Reflection;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Where a host looks for scripts, in order: the repository's <c>scripts/</c> (recorded at build time in the host
/// assembly's <c>Nas.ScriptsDir</c> metadata, or a <c>scripts</c> folder beside the host in a published layout), the
/// home's <c>scripts</c> folder (<see cref="NasHome"/>: <c>$NAS_HOME/scripts</c>, default <c>~/.nas/scripts</c>), then
/// folders given on the command line. Only <c>*.csx</c> files directly in a folder
/// are loaded; sub-folders hold helpers that scripts <c>#load</c>.
/// </summary>
public static class ScriptLocations
{
    /// <param name="buildScripts">
    /// False leaves out the build's own <c>scripts/</c> (a cluster worker: it runs the race's verified pack, whose copy
    /// of an example script must not lose its names to the worker's own copy, which may differ).
    /// </param>
    public static IReadOnlyList<string> For(
        Assembly host,
        IEnumerable<string>? extraFolders = null,
        bool buildScripts = true
    )
    {
        var result = new List<string>();
        if (buildScripts && BuildFolder(host) is { } build)
            result.Add(build);
        if (NasHome.TryResolve() is { } home)
            result.Add(home.Scripts);
        result.AddRange((extraFolders ?? []).Select(Path.GetFullPath));
        return result.Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The build's <c>scripts/</c>: beside the host when published, else where the build recorded it.</summary>
    private static string? BuildFolder(Assembly host)
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "scripts");
        return Directory.Exists(beside)
            ? beside
            : host.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "Nas.ScriptsDir")
                ?.Value;
    }
}
