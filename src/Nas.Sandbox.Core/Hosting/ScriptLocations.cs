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
    public static IReadOnlyList<string> For(Assembly host, IEnumerable<string>? extraFolders = null)
    {
        var result = new List<string>();
        string beside = Path.Combine(AppContext.BaseDirectory, "scripts");
        if (Directory.Exists(beside))
            result.Add(beside);
        else if (
            host.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "Nas.ScriptsDir")
                ?.Value is
            { } built
        )
            result.Add(built);
        if (NasHome.TryResolve() is { } home)
            result.Add(home.Scripts);
        result.AddRange((extraFolders ?? []).Select(Path.GetFullPath));
        return result.Distinct(StringComparer.Ordinal).ToArray();
    }
}
