using System.CommandLine;
using System.Text.RegularExpressions;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas pack new strategy|estimator|operation NAME [--output DIR]</c>: scaffolds a pack project from the repository's
/// <c>dotnet new</c> templates (see <see cref="DotnetTemplates"/>), compiled against the contracts of this very nas
/// (the Nas.Sandbox.Abstractions.dll beside it; an operation also against the tensor-based
/// Nas.Sandbox.Abstractions.Torch.dll beside that, which its project finds there), and prints the commands that build
/// and install it.
/// </summary>
internal static partial class PackNewCommand
{
    public static readonly IReadOnlyList<string> Kinds = ["strategy", "estimator", "operation"];

    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "strategy, estimator or operation" };
        var name = new Argument<string>("NAME")
        {
            Description =
                "project, namespace and class prefix, e.g. HillClimber; the published name is its kebab-case (strategy, estimator) or snake_case (operation)",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "folder to create [./NAME]; must be new or empty",
            HelpName = "DIR",
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "new",
            $"Scaffold a pack project (a plugin class library with a working example) from a dotnet new template; ${DotnetTemplates.HiveVariable} selects another template hive."
        )
        {
            kind,
            name,
            output,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    Run(result.GetValue(kind)!, result.GetValue(name)!, result.GetValue(output));
                    return Task.FromResult(0);
                }));
        return command;
    }

    private static void Run(string kind, string name, string? output)
    {
        if (!Kinds.Contains(kind))
            throw new NasException($"Unknown pack kind '{kind}': use {string.Join(", ", Kinds)}.");
        if (!ValidName().IsMatch(name))
            throw new NasException(
                $"Pack name '{name}' is not usable: use letters, digits and underscores, starting with a letter (e.g. HillClimber); "
                    + "it names the project, its namespace and classes."
            );
        // A file on the way (FILE/sub) is refused here, not left to dotnet new's several lines of output.
        string folder = OutputPaths.Folder(output ?? name, "--output");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new NasException($"--output {folder} already exists and is not empty; choose a new folder.");
        string abstractions = AbstractionsPath();
        string contracts =
            kind == "operation" ? $"{abstractions} and {TorchContractsPath(abstractions)}" : abstractions;

        var templates = DotnetTemplates.Locate(typeof(PackNewCommand).Assembly);
        string[] parameters = ["--abstractionsPath", abstractions, "--authors", Environment.UserName];
        templates.Instantiate(kind, name, folder, parameters);

        string code = Path.Combine(folder, name + ".cs");
        string published =
            File.Exists(code) && PublishedName().Match(File.ReadAllText(code)) is { Success: true } m
                ? m.Groups[1].Value
                : "?";
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, folder);
        Console.Out.WriteLine($"Created {kind} pack project {name} in {folder}:");
        foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            Console.Out.WriteLine($"  {Path.GetFileName(file)}");
        Console.Out.WriteLine(
            $"It publishes {kind} '{published}' (a working example: edit {name}.cs) and compiles against {contracts}."
        );
        Console.Out.WriteLine("Next:");
        Console.Out.WriteLine($"  nas pack build {relative} --output packs");
        Console.Out.WriteLine($"  nas pack install packs/{name}.1.0.0.nupkg");
        Console.Out.WriteLine(
            $"  (or straight into a plugin folder: dotnet publish {relative} -c Release -o {Path.Combine(NasHome.Resolve().Plugins, name)})"
        );
    }

    /// <summary>The contracts assembly this nas runs with: the pack compiles against it and shares it at run time.</summary>
    private static string AbstractionsPath()
    {
        string location = typeof(IStrategy).Assembly.Location;
        if (location.Length == 0)
            location = Path.Combine(AppContext.BaseDirectory, "Nas.Sandbox.Abstractions.dll");
        return File.Exists(location)
            ? location
            : throw new NasException($"Nas.Sandbox.Abstractions.dll not found beside nas ({location}).");
    }

    /// <summary>The tensor-based contracts beside <paramref name="abstractions"/>, where the operation template looks for them.</summary>
    private static string TorchContractsPath(string abstractions)
    {
        string location = Path.Combine(
            Path.GetDirectoryName(abstractions)!,
            typeof(IOperation).Assembly.GetName().Name + ".dll"
        );
        return File.Exists(location)
            ? location
            : throw new NasException($"Nas.Sandbox.Abstractions.Torch.dll not found beside nas ({location}).");
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex ValidName();

    [GeneratedRegex("""public string Name => "([^"]+)";""")]
    private static partial Regex PublishedName();
}
