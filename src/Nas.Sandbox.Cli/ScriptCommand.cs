using System.CommandLine;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas script check FILE.csx|DIR</c>: compiles a script exactly as a race would (load it, run it, instantiate what it
/// publishes) and prints its diagnostics one per line as <c>FILE(line,col): error CODE: message</c> (warnings too), the
/// shape editors and CI annotators parse; then, when it compiled, one line saying what it defines. A folder checks
/// each <c>*.csx</c> directly in it, the scripts <c>--scripts DIR</c> would load. Exit 1 when there are errors, so it
/// fits a pre-commit hook or a CI step.
/// </summary>
internal static class ScriptCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "the script (.csx) to check, or a folder: each .csx directly in it",
        };
        var verbose = CommonOptions.Verbose();
        var check = new Command(
            "check",
            "Compile a script (or each .csx in a folder) and print its diagnostics as FILE(line,col): error CODE: message; exit 1 on errors."
        );
        check.Arguments.Add(file);
        check.Options.Add(verbose);
        check.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string given = result.GetValue(file)!;
                    bool folder = Directory.Exists(given);
                    var compiler = new ScriptCompiler();
                    // Published as a race publishes them, into a host holding the built-in packs, plugins and
                    // installed packs' plugins (not the script folders): a name one of those, or an earlier script of the folder,
                    // has is the error a race would report (NAS0010), not an ok.
                    using var host = SandboxHost.Create(typeof(ScriptCommand).Assembly, lazyScripts: true);
                    var strategies = host.Strategies;
                    using var catalog = new ScriptCatalog(
                        compiler,
                        strategies,
                        host.Operations,
                        host.Spaces,
                        host.EstimatorOwner
                    );
                    int exit = 0;
                    foreach (string path in ScriptsToCheck(given))
                    {
                        var compiled = compiler.Compile(path);
                        foreach (var diagnostic in compiled.Diagnostics)
                            Console.Out.WriteLine(diagnostic.ToString());
                        if (compiled.Script is not { } script)
                        {
                            exit = 1;
                            continue;
                        }
                        var taken = StrategyClashes(strategies, script).ToList();
                        if (catalog.Add(script) is { } refusal)
                            taken.Add(refusal);
                        foreach (var diagnostic in taken)
                            Console.Out.WriteLine(diagnostic.ToString());
                        if (taken.Count > 0)
                        {
                            exit = 1;
                            continue;
                        }
                        // Several scripts: each ok line names its file.
                        Console.Out.WriteLine(folder ? $"ok: {path}: {Describe(script)}" : $"ok: {Describe(script)}");
                    }
                    return Task.FromResult(exit);
                }));

        var command = new Command("script", "C# script (.csx) strategies, estimators and operations.");
        command.Subcommands.Add(check);
        return command;
    }

    /// <summary>
    /// The scripts FILE names: itself, when it is a <c>.csx</c> path (a missing one is the compiler's NAS0001), or each
    /// <c>*.csx</c> directly in a folder (sub-folders hold <c>#load</c>ed helpers, as for <c>--scripts</c>). Anything
    /// else is refused rather than compiled as C#.
    /// </summary>
    internal static IReadOnlyList<string> ScriptsToCheck(string given)
    {
        if (string.IsNullOrWhiteSpace(given))
            throw new NasException("FILE is empty: give a script (.csx) or a folder of scripts.");
        if (Directory.Exists(given))
        {
            string[] scripts = [.. Directory.GetFiles(given, "*.csx").Order(StringComparer.Ordinal)];
            return scripts.Length > 0
                ? scripts
                : throw new NasException(
                    $"{given} is a folder with no .csx script in it (script check compiles each .csx directly in a folder)."
                );
        }
        return given.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)
            ? [given]
            : throw new NasException(
                $"{given} is not a .csx file: script check compiles C# scripts (FILE.csx), or each .csx in a folder."
            );
    }

    /// <summary>
    /// The script's strategies whose names a built-in pack, a plugin, an installed pack or an earlier script of the folder
    /// has: a race keeps that one and ignores this one (with a warning), which a check should not call ok.
    /// </summary>
    private static IEnumerable<ScriptDiagnostic> StrategyClashes(StrategyCatalog strategies, CompiledScript script) =>
        script
            .Strategies.Select(s => s.Name)
            .Distinct()
            .Select(name => strategies.All.FirstOrDefault(e => e.Name == name))
            .Where(earlier => earlier is not null)
            .Select(earlier => new ScriptDiagnostic(
                script.Path,
                1,
                1,
                ScriptDiagnostic.Error,
                ScriptDiagnosticCodes.NameTaken,
                earlier!.Source.Kind == StrategySource.Script
                    ? $"strategy '{earlier.Name}' is already defined by script {earlier.Source.Origin}, which a race loads first and races under that name; rename one of them."
                    : $"strategy '{earlier.Name}' is already provided by the {earlier.Source.Kind} {earlier.Source.Origin}, which a race races under that name; rename the file (a script's strategy is named after it)."
            ));

    /// <summary>E.g. <c>strategy greedy-local-search, operation nor_dil_conv_3x3</c>.</summary>
    internal static string Describe(CompiledScript script) =>
        string.Join(
            ", ",
            script
                .Strategies.Select(s => $"strategy {s.Name}")
                .Concat(script.Estimators.Select(e => $"estimator {e.Name}"))
                .Concat(script.Operations.Select(o => $"operation {o.Name}"))
        );
}
