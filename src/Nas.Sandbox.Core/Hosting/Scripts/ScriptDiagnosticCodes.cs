namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Our own diagnostic codes, for what Roslyn cannot report: everything that goes wrong after the script compiled
/// (loading, running, instantiating) or that Roslyn reports too cryptically. Stable: users and tools may match on them.
/// </summary>
public static class ScriptDiagnosticCodes
{
    /// <summary>The script file does not exist, cannot be read, or is not UTF-8 text.</summary>
    public const string Unreadable = "NAS0001";

    /// <summary>The script compiled and ran but publishes no strategy, estimator or operation.</summary>
    public const string NothingDefined = "NAS0002";

    /// <summary><c>#r</c> (assembly or NuGet reference): scripts only see the contracts, TorchSharp and the BCL.</summary>
    public const string ReferenceNotSupported = "NAS0003";

    /// <summary>A published type threw in its constructor when the host instantiated it.</summary>
    public const string ConstructorThrew = "NAS0004";

    /// <summary>The script's top-level code threw while it was evaluated.</summary>
    public const string EvaluationThrew = "NAS0005";

    /// <summary>The script's final expression is a strategy instance, which cannot give a fresh instance per heat.</summary>
    public const string StrategyInstance = "NAS0006";

    /// <summary>The compiled script could not be loaded (should not happen; reported rather than thrown).</summary>
    public const string LoadFailed = "NAS0007";

    /// <summary>
    /// A name the script defines is taken by another source: an operation or search space another plugin or script
    /// registered, or an estimator that is built in, a plugin's, or another script's. The script is not loaded.
    /// </summary>
    public const string NameTaken = "NAS0010";
}
