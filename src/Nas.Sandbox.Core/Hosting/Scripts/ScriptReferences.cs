using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// The assemblies every script compiles against, with no <c>#r</c>: the .NET base library (the trusted platform
/// assemblies of the running shared framework), the contracts (Nas.Sandbox.Abstractions and the tensor-based
/// Nas.Sandbox.Abstractions.Torch: a script may build operations or use the training kit) and TorchSharp, plus the
/// assemblies those reference that the host has. <see cref="RoslynScriptBuilder"/> opens them once per builder: opening
/// ~170 metadata files costs far more than compiling a script, and reusing the same metadata references lets Roslyn
/// reuse its symbols for them across compilations, which is what makes a warm compile take milliseconds. The list
/// itself is cheap (no file is opened), so <see cref="ScriptCache"/> keys its entries on it.
/// </summary>
/// <remarks>
/// Only the shared framework's part of the trusted platform assemblies is taken, not the whole list: the rest is the
/// host application's own dependencies (in the test host: xunit, FluentAssertions, Roslyn itself ...), so a script
/// would otherwise compile in one host and not in another, and could meet ambiguous type names.
/// </remarks>
internal static class ScriptReferences
{
    public static IReadOnlyList<string> Paths()
    {
        var trusted = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .ToArray();
        var trustedByName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in trusted)
            trustedByName.TryAdd(Path.GetFileNameWithoutExtension(path), path);

        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in trusted)
            if (
                string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal)
                && seen.Add(Path.GetFileNameWithoutExtension(path))
            )
                paths.Add(path);

        foreach (
            var assembly in new[]
            {
                typeof(IStrategy).Assembly,
                typeof(Nas.Sandbox.Abstractions.IOperation).Assembly,
                typeof(TorchSharp.torch).Assembly,
            }
        )
        {
            if (assembly.Location is { Length: > 0 } location && seen.Add(assembly.GetName().Name!))
                paths.Add(location);
            // Their own dependencies, so that a TorchSharp signature mentioning one of them still binds.
            foreach (AssemblyName dependency in assembly.GetReferencedAssemblies())
                if (dependency.Name is { } name && trustedByName.TryGetValue(name, out string? path) && seen.Add(name))
                    paths.Add(path);
        }
        return paths;
    }
}
