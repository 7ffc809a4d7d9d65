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

    /// <summary>Every shipped table's path (every host has them, so a pack need not carry them).</summary>
    public static IReadOnlyList<string> All => [DefaultPath, CurvesPath];
}
