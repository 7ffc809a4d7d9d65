namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// Which training run of an architecture a lookup reports, for a table with per-seed columns (<c>--table-seeds</c>).
/// </summary>
public enum TableSeeds
{
    /// <summary>The mean over the table's seeds (the row's own columns): every query of an architecture gives the same value.</summary>
    Mean,

    /// <summary>
    /// One of the table's seeds, chosen by the trial's seed (fixed per heat and architecture), as NAS-Bench-101's and
    /// NAS-Bench-201's APIs sample one training run per query: a strategy sees the noise a real training run has.
    /// </summary>
    Sample,
}

/// <summary>Parsing and choosing <see cref="TableSeeds"/>.</summary>
public static class TableSeedsChoice
{
    public static string Name(TableSeeds seeds) => seeds == TableSeeds.Sample ? "sample" : "mean";

    /// <summary>
    /// What a race on <paramref name="table"/> uses: <paramref name="given"/> (<c>mean</c> or <c>sample</c>), or by
    /// default <c>sample</c> when the table has at least two seeds and <c>mean</c> otherwise (one value per architecture).
    /// </summary>
    public static TableSeeds Resolve(string? given, TabularTable table) =>
        given?.Trim() switch
        {
            null or "" => table.SeedCount >= 2 ? TableSeeds.Sample : TableSeeds.Mean,
            "mean" => TableSeeds.Mean,
            "sample" when table.SeedCount >= 1 => TableSeeds.Sample,
            "sample" => throw new NasException(
                $"--table-seeds sample: table {table.Path} has no per-seed columns ({table.Columns.Validation}_seed0, ...); "
                    + "it holds one value per architecture, so only --table-seeds mean applies."
            ),
            _ => throw new NasException($"--table-seeds: '{given}' is not mean or sample."),
        };
}
