namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Finds where a race's estimator, its space and the space's operations come from (a script, a plugin, an installed pack's) and
/// stages that source into a pack: for a shared race (<see cref="RacePackSource"/>) and for the code a race sends its
/// cluster workers, which run nothing else.
/// </summary>
public static class CodeSources
{
    /// <summary>
    /// Stages the script or plugin an estimator comes from and returns the name it has in the pack (a script named by
    /// path is known by the estimator it defines); a built-in estimator stages nothing and keeps its name.
    /// </summary>
    public static string StageEstimator(string estimator, PackStaging staging, SandboxHost host)
    {
        if (SandboxHost.EstimatorNames.Contains(estimator))
            return estimator;
        if (estimator.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(estimator))
                throw new PackException($"The race's estimator script {estimator} no longer exists.");
            var script = staging.AddScript(estimator).Script;
            return script.Provides.Estimators.Count == 1
                ? script.Provides.Estimators[0]
                : throw new PackException(
                    $"The race's estimator script {estimator} defines {script.Provides.Estimators.Count} estimators; expected one."
                );
        }
        if (host.Plugins.FindEstimator(estimator) is { } plugin)
        {
            staging.AddPlugin(Path.GetDirectoryName(plugin.Source.Origin)!);
            return estimator;
        }
        host.LoadScriptFolders();
        var owner = host.Scripts.Scripts.FirstOrDefault(s => s.Estimators.Any(e => e.Name == estimator))
            ?? throw new PackException(
                $"The race's estimator '{estimator}' is neither built in nor provided by a plugin or script this host finds."
            );
        staging.AddScript(owner.Path);
        return estimator;
    }

    /// <summary>Stages the script or plugin that defines an operation that is not built in.</summary>
    public static void StageOperation(string operation, PackStaging staging, SandboxHost host)
    {
        if (!host.Operations.Contains(operation))
            host.LoadScriptFolders();
        string source = host.Operations.Contains(operation) ? host.Operations.SourceOf(operation) : "";
        if (!StageSource(source, staging))
            throw new PackException(
                $"The race's space uses operation '{operation}', which is not built in and which no script or plugin this host finds defines."
            );
    }

    /// <summary>
    /// Stages the script or plugin that provides a search space that is not built in (a built-in space stages
    /// nothing); returns whether it staged anything.
    /// </summary>
    public static bool StageSpace(string space, PackStaging staging, SandboxHost host)
    {
        if (SpaceCatalog.BuiltInNames.Contains(space))
            return false;
        if (host.Spaces.Find(space) is null)
            host.LoadScriptFolders();
        string source = host.Spaces.Find(space)?.Source ?? "";
        return StageSource(source, staging)
            ? true
            : throw new PackException(
                $"The race's search space '{space}' is neither built in ({string.Join(", ", SpaceCatalog.BuiltInNames)}) nor provided by a script or plugin this host finds."
            );
    }

    /// <summary>Stages what a catalog's source (<c>script PATH</c>, <c>plugin DLL</c>) names; false for any other.</summary>
    private static bool StageSource(string source, PackStaging staging)
    {
        if (source.StartsWith("script ", StringComparison.Ordinal))
            staging.AddScript(source["script ".Length..]);
        else if (source.StartsWith("plugin ", StringComparison.Ordinal))
            staging.AddPlugin(Path.GetDirectoryName(source["plugin ".Length..])!);
        else
            return false;
        return true;
    }
}
