using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Cli;

/// <summary>
/// The repository's <c>dotnet new</c> templates (<c>templates/</c>: nas-strategy, nas-estimator, nas-operation) and the
/// <c>dotnet</c> runs that install and instantiate them. The templates folder is a <c>templates</c> folder beside the
/// host (a published layout) or the repository's, recorded at build time in the host's <c>Nas.TemplatesDir</c>
/// metadata. Installing is skipped while a stamp in the home (<see cref="NasHome"/>) says this very content is
/// installed in this hive.
/// <c>$NAS_TEMPLATE_HIVE</c> names another template hive than the user's (<c>dotnet new --debug:custom-hive</c>), so
/// tests and trials leave the user's <c>dotnet new</c> untouched.
/// </summary>
internal sealed class DotnetTemplates(string folder, string? hive)
{
    public const string HiveVariable = "NAS_TEMPLATE_HIVE";
    private const string StampFile = "dotnet-templates.stamp";

    public string Folder { get; } = folder;

    public static DotnetTemplates Locate(Assembly host)
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "templates");
        string? built = host.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Nas.TemplatesDir")
            ?.Value;
        string? folder =
            Directory.Exists(beside) ? beside
            : built is not null && Directory.Exists(built) ? built
            : null;
        if (folder is null)
            throw new NasException(
                $"The pack project templates were not found (looked in {beside}{(built is null ? "" : $" and {built}")})."
            );
        string? hive = Environment.GetEnvironmentVariable(HiveVariable) is { Length: > 0 } h
            ? Path.GetFullPath(h)
            : null;
        return new DotnetTemplates(Path.GetFullPath(folder), hive);
    }

    /// <summary>Creates a project from template <c>nas-KIND</c> (installing or refreshing the templates first when needed).</summary>
    public void Instantiate(string kind, string name, string output, IReadOnlyList<string> parameters)
    {
        string[] arguments =
        [
            "new",
            $"nas-{kind}",
            "-n",
            name,
            "-o",
            output,
            "--no-update-check",
            .. parameters,
            .. HiveArguments(),
        ];
        bool installedNow = EnsureInstalled();
        var (exit, text) = Dotnet(arguments);
        // The stamp may be stale (templates uninstalled by hand): install for real and try once more.
        if (exit != 0 && !installedNow && IsEmptyOrMissing(output))
        {
            Install();
            (exit, text) = Dotnet(arguments);
        }
        if (exit != 0)
            throw new NasException(
                $"dotnet {string.Join(' ', arguments)} failed (exit {exit}):{Environment.NewLine}{text.Trim()}"
            );
    }

    /// <summary>Installs the templates unless the stamp says this content is already installed in this hive; true when it installed.</summary>
    public bool EnsureInstalled()
    {
        string? stamp = StampPath();
        if (stamp is not null && File.Exists(stamp) && File.ReadAllText(stamp) == StampText())
            return false;
        Install();
        return true;
    }

    private void Install()
    {
        string[] arguments = ["new", "install", Folder, "--force", .. HiveArguments()];
        var (exit, text) = Dotnet(arguments);
        if (exit != 0)
            throw new NasException(
                $"dotnet {string.Join(' ', arguments)} failed (exit {exit}):{Environment.NewLine}{text.Trim()}"
            );
        if (StampPath() is { } stamp)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(stamp)!);
            File.WriteAllText(stamp, StampText());
        }
    }

    private string[] HiveArguments() => hive is null ? [] : ["--debug:custom-hive", hive];

    private static string? StampPath()
    {
        try
        {
            return Path.Combine(NasHome.Resolve().Folder, StampFile);
        }
        catch (NasException)
        {
            return null;
        } // no home folder: install every time
    }

    /// <summary>Which folder, which hive, and a hash of every template file (paths and contents).</summary>
    private string StampText()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (
            string file in Directory
                .EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
                .Where(f =>
                    !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                )
                .Order(StringComparer.Ordinal)
        )
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(Folder, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return $"{Folder}\n{hive ?? "(user hive)"}\n{Convert.ToHexString(hash.GetHashAndReset())}\n";
    }

    private static bool IsEmptyOrMissing(string folder) =>
        !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any();

    private static (int Exit, string Output) Dotnet(IReadOnlyList<string> arguments)
    {
        var (exit, stdout, stderr) = DotnetSdk.Run(arguments, "nas pack new runs the .NET SDK's `dotnet new`");
        return (exit, stdout + stderr);
    }
}
