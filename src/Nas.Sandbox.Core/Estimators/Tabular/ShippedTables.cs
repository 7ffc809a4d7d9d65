namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// The tabular benchmark that ships with Nas.Sandbox (see src/Nas.Sandbox.Core/Tables/README.md for how it was made):
/// copied beside every host, used by <c>--estimator tabular</c> when no <c>--table</c> is given.
/// </summary>
public static class ShippedTables
{
    public const string DefaultName = "nb201-fmnist-3op.csv";

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "tables", DefaultName);
}
