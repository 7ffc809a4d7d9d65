namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// The tabular benchmarks that ship with Nas.Sandbox (see src/Nas.Sandbox.Core/Tables/README.md for how they were
/// made), copied beside every host. <c>--estimator tabular</c> uses <see cref="DefaultName"/> when no <c>--table</c> is
/// given, and <see cref="CurvesName"/> when the race also has a fidelity ladder (the default table has no curves).
/// </summary>
public static class ShippedTables
{
    public const string DefaultName = "nb201-fmnist-3op.csv";

    /// <summary>The same 729 cells with learning curves over 9 epochs: the table for multi-fidelity races.</summary>
    public const string CurvesName = "nb201-fmnist-3op-curves.csv";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "tables");

    public static string DefaultPath => Path.Combine(Folder, DefaultName);

    public static string CurvesPath => Path.Combine(Folder, CurvesName);

    /// <summary>The shipped table a race uses when no <c>--table</c> is given.</summary>
    public static string DefaultFor(bool ladder) => ladder ? CurvesPath : DefaultPath;

    /// <summary>
    /// The shipped table for <paramref name="space"/>; only <c>nb201</c> has any, so another space is one error saying
    /// how to make a table of it.
    /// </summary>
    public static string DefaultFor(bool ladder, string space) =>
        space == "nb201"
            ? DefaultFor(ladder)
            : throw new NasException(
                $"No table ships for space '{space}' (the shipped tables are of nb201 cells): make one with "
                    + $"`nas tabulate --space {space} --sample 300 --output {space}.csv{(ladder ? " --curve" : "")}` "
                    + $"and give it with --table {space}.csv."
            );

    /// <summary>Every shipped table's path (every host has them, so a pack need not carry them).</summary>
    public static IReadOnlyList<string> All => [DefaultPath, CurvesPath];
}
