namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// What a shared race's recorded <c>nas race</c> arguments may be: the options that define a race, each with a value,
/// a table only from inside the pack, and <c>--isolation</c> (a race whose contestants ran in their own processes is
/// shared that way). A pack cannot slip in an option that writes files (<c>--journal</c>, <c>--league</c>) or loads more
/// code (<c>--plugins</c>, <c>--scripts</c>) into a command its user is invited to run.
/// </summary>
public static class PackRaceArguments
{
    /// <summary>The options that define a race: recorded in a pack, and refused beside <c>nas race --resume</c>.</summary>
    public static readonly IReadOnlySet<string> Options = new HashSet<string>(StringComparer.Ordinal)
    {
        "--strategy",
        "--space",
        "--operations",
        "--estimator",
        "--dataset",
        "--table",
        "--budget",
        "--budget-seconds",
        "--budget-epochs",
        "--fidelities",
        "--early-stop",
        "--heats",
        "--workers",
        "--seed",
        "--epochs",
        "--train-images",
        "--validation-images",
        "--channels",
        "--cells",
        "--batch-size",
        "--objective",
        "--reference",
        "--call-timeout",
        "--contestant-memory",
        "--table-columns",
        "--table-percent",
        "--table-seeds",
        "--latency-warmup",
        "--latency-repeats",
    };

    /// <summary>
    /// Options about how a race runs that a pack may record too, since they keep its user safe; <c>--resume</c> takes
    /// them from the journal by default but lets them be given.
    /// </summary>
    public static readonly IReadOnlySet<string> Safety = new HashSet<string>(StringComparer.Ordinal) { "--isolation" };

    /// <summary>Null when the arguments are acceptable, otherwise the index of the first bad one and why.</summary>
    public static (int Index, string Problem)? Problem(IReadOnlyList<string> arguments)
    {
        for (int i = 0; i < arguments.Count; i += 2)
        {
            if (!Options.Contains(arguments[i]) && !Safety.Contains(arguments[i]))
                return (
                    i,
                    $"'{arguments[i]}' is not one of the options a shared race may record ({string.Join(", ", Options.Concat(Safety))})"
                );
            if (i + 1 >= arguments.Count)
                return (i, $"'{arguments[i]}' has no value");
            if (
                arguments[i] == "--table"
                && !arguments[i + 1].StartsWith(PackRace.PackFolderToken + "/", StringComparison.Ordinal)
            )
                return (
                    i + 1,
                    $"a shared race's table must travel in the pack ({PackRace.PackFolderToken}/...), not '{arguments[i + 1]}'"
                );
        }
        return null;
    }
}
