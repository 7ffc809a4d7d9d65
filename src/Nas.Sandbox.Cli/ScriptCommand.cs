using System.CommandLine;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas script check FILE.csx</c>: compiles a script exactly as a race would (load it, run it, instantiate what it
/// publishes) and prints its diagnostics one per line as <c>FILE(line,col): error CODE: message</c> (warnings too), the
/// shape editors and CI annotators parse; then, when it compiled, one line saying what it defines. Exit 1 when there
/// are errors, so it fits a pre-commit hook or a CI step.
/// </summary>
internal static class ScriptCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "the script (.csx) to check" };
        var verbose = CommonOptions.Verbose();
        var check = new Command(
            "check",
            "Compile a script and print its diagnostics as FILE(line,col): error CODE: message; exit 1 on errors."
        );
        check.Arguments.Add(file);
        check.Options.Add(verbose);
        check.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var compiled = new ScriptCompiler().Compile(result.GetValue(file)!);
                    foreach (var diagnostic in compiled.Diagnostics)
                        Console.Out.WriteLine(diagnostic.ToString());
                    if (compiled.Script is not { } script)
                        return Task.FromResult(1);
                    using (script)
                        Console.Out.WriteLine($"ok: {Describe(script)}");
                    return Task.FromResult(0);
                }));

        var command = new Command("script", "C# script (.csx) strategies, estimators and operations.");
        command.Subcommands.Add(check);
        return command;
    }

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
