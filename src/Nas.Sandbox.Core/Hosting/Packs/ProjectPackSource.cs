using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Stages a pack project (a plugin class library, as <c>nas pack new</c> makes): publishes it in Release into the
/// pack's <c>plugins/&lt;AssemblyName&gt;/</c>, and takes the metadata from its NuGet properties (PackageId, Version,
/// Description, Authors, PackageLicenseExpression). Assemblies the host shares with plugins (both contract assemblies,
/// TorchSharp) are left out if the project copied them, with a warning: the host's own are used at run time anyway.
/// </summary>
public static class ProjectPackSource
{
    private static readonly string[] Properties =
    [
        "AssemblyName",
        "PackageId",
        "Version",
        "Description",
        "Authors",
        "PackageLicenseExpression",
    ];
    private static readonly string[] SharedFiles =
    [
        .. PluginApiCheck.ContractsAssemblyNames.Select(name => name + ".dll"),
        "TorchSharp.dll",
    ];

    /// <summary>The project file in <paramref name="pathOrFolder"/> (a .csproj, or a folder holding exactly one), or null.</summary>
    public static string? FindProject(string pathOrFolder)
    {
        if (File.Exists(pathOrFolder) && pathOrFolder.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
            return Path.GetFullPath(pathOrFolder);
        if (!Directory.Exists(pathOrFolder))
            return null;
        var projects = Directory.GetFiles(pathOrFolder, "*.csproj");
        return projects.Length switch
        {
            0 => null,
            1 => Path.GetFullPath(projects[0]),
            _ => throw new PackException(
                $"{pathOrFolder} holds {projects.Length} projects ({string.Join(", ", projects.Select(Path.GetFileName))}); name one."
            ),
        };
    }

    public static PackMetadata Stage(string project, PackStaging staging)
    {
        var properties = ReadProperties(project);
        string assembly = properties["AssemblyName"] is { Length: > 0 } name
            ? name
            : Path.GetFileNameWithoutExtension(project);
        string output = Path.Combine(Path.GetTempPath(), "nas-publish-" + Guid.NewGuid().ToString("N")[..12], assembly);
        try
        {
            Run(project, ["publish", project, "-c", "Release", "-o", output, "--nologo"], "publish");
            foreach (string shared in SharedFiles.Select(f => Path.Combine(output, f)).Where(File.Exists))
            {
                staging.Warnings.Add(
                    $"{Path.GetFileName(shared)} was in the project's output and is left out of the pack: the host shares its own. "
                        + "Reference it with Private=false (or ExcludeAssets=runtime) to keep it out."
                );
                File.Delete(shared);
            }
            staging.AddPlugin(output);
        }
        finally
        {
            try
            {
                Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
            }
            catch (IOException) { }
        }
        string? Property(string key) => properties.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        // The SDK's defaults say nothing about the pack: Authors defaults to the assembly name, Description to this text.
        string? description = Property("Description") is { } d && d != "Package Description" ? d : null;
        string? authors = Property("Authors") is { } a && a != assembly ? a : null;
        return new PackMetadata
        {
            Id = Property("PackageId") ?? assembly,
            Version = Property("Version"),
            Description = description,
            Authors = authors?.Split(
                [',', ';'],
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            ),
            License = Property("PackageLicenseExpression"),
        };
    }

    private static Dictionary<string, string> ReadProperties(string project)
    {
        string json = Run(
            project,
            ["msbuild", project, "-nologo", .. Properties.Select(p => $"-getProperty:{p}")],
            "read the properties of"
        );
        try
        {
            var values = (JObject?)JObject.Parse(json)["Properties"] ?? [];
            return Properties.ToDictionary(p => p, p => (string?)values[p] ?? "");
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            throw new PackException($"Could not read the properties of {project}: {e.Message}");
        }
    }

    /// <summary>Runs <c>dotnet</c>; its output is the message when it fails.</summary>
    private static string Run(string project, IReadOnlyList<string> arguments, string what)
    {
        var (exit, output, error) = DotnetSdk.Run(arguments, $"nas pack build runs the .NET SDK to {what} {project}");
        if (exit == 0)
            return output;
        var lines = (output + error)
            .Split('\n')
            .Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .Take(20)
            .ToArray();
        throw new PackException(
            $"dotnet could not {what} {project} (exit {exit}):{Environment.NewLine}"
                + string.Join(Environment.NewLine, lines.Length > 0 ? lines : [output + error])
        );
    }
}
