namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// What a shared race's recorded <c>nas race</c> arguments may be: the options that define a race, each with a value,
/// and a table only from inside the pack. A pack cannot slip in an option that writes files (<c>--journal</c>,
/// <c>--league</c>) or loads more code (<c>--plugins</c>, <c>--scripts</c>) into a command its user is invited to run.
/// </summary>
public static class PackRaceArguments
{
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

    /// <summary>Null when the arguments are acceptable, otherwise the index of the first bad one and why.</summary>
    public static (int Index, string Problem)? Problem(IReadOnlyList<string> arguments)
    {
        for (int i = 0; i < arguments.Count; i += 2)
        {
            if (!Options.Contains(arguments[i]))
                return (
                    i,
                    $"'{arguments[i]}' is not one of the options a shared race may record ({string.Join(", ", Options)})"
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
