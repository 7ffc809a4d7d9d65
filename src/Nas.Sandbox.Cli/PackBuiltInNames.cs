using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Cli;

/// <summary>
/// What <c>nas pack build</c> says of a name the new pack takes from the built-ins. Every user has the built-ins and a
/// race resolves them first, so wherever the pack is installed such a strategy is never raced (the built-in keeps the
/// name), and such an estimator, operation or space is refused. The author hears it at build time, where renaming is
/// cheap; <c>nas pack install</c> then says what the installing user's own plugins, scripts and packs take.
/// </summary>
internal static class PackBuiltInNames
{
    public static IEnumerable<string> Warnings(PackManifest manifest)
    {
        var parts = manifest
            .Plugins.Select(p => (Part: p.AssemblyPath, p.Provides))
            .Concat(manifest.Scripts.Select(s => (Part: s.Path, s.Provides)))
            .ToArray();
        if (parts.Length == 0)
            return [];
        using var host = SandboxHost.Create(typeof(PackBuiltInNames).Assembly, lazyScripts: true);
        var builtInStrategies = host
            .Strategies.All.Where(e => e.Source.Kind == StrategySource.BuiltInPack)
            .ToDictionary(e => e.Name, e => Path.GetFileName(e.Source.Origin));
        var operations = OperationRegistry.CreateDefault();
        var spaces = SpaceCatalog.BuiltInNames;
        var warnings = new List<string>();
        foreach (var (part, provides) in parts)
        {
            foreach (string name in provides.Strategies)
                if (builtInStrategies.TryGetValue(name, out var dll))
                    warnings.Add(
                        $"{part}: strategy '{name}' is a built-in's name ({dll}): wherever the pack is installed, the "
                            + "built-in is raced under it and this one is ignored; rename it (a script's strategy is named after its file)."
                    );
            foreach (string name in provides.Estimators)
                if (ScriptCatalog.BuiltInEstimatorOwner(name) is not null)
                    warnings.Add(Refused(part, "estimator", name));
            foreach (string name in provides.Operations.Where(operations.Contains))
                warnings.Add(Refused(part, "operation", name));
            foreach (string name in provides.Spaces.Where(spaces.Contains))
                warnings.Add(Refused(part, "space", name));
        }
        return warnings;
    }

    private static string Refused(string part, string kind, string name) =>
        $"{part}: {kind} '{name}' is a built-in's name: wherever the pack is installed, it is refused; rename it.";
}
