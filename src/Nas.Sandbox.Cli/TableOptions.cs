using System.CommandLine;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Cli;

/// <summary>The options that name and map a tabular benchmark, shared by `race`, `tui` and `estimators report`.</summary>
/// <param name="ladder">Whether the command takes <c>--fidelities</c> (races), which picks the shipped table with curves.</param>
internal sealed class TableOptions(bool ladder = true)
{
    public Option<string?> Table { get; } =
        new("--table")
        {
            Description = ladder
                ? $"tabular benchmark (CSV) [the shipped {ShippedTables.DefaultName}; with --fidelities, {ShippedTables.CurvesName}]"
                : $"tabular benchmark (CSV) [the shipped {ShippedTables.DefaultName}]",
        };
    private readonly Option<string?> _columns = new("--table-columns")
    {
        Description =
            "map the table's columns: arch=NAME,validation=NAME,test=NAME,seconds=NAME,params=NAME,flops=NAME,curve=NAME",
    };
    private readonly Option<bool?> _percent = new("--table-percent")
    {
        Description = "the table's accuracies are in percent (0-100)",
    };

    /// <summary>Only races look a trial up by seed; <c>estimators report</c> compares with the row's values.</summary>
    public Option<string?> Seeds { get; } =
        new("--table-seeds")
        {
            Description =
                "what a lookup reports for a table with per-seed columns: sample (one training seed per trial, chosen by the "
                + "trial's seed, as the NAS-Bench APIs do) or mean (the seed-mean) [sample when the table has 2+ seeds, else mean]",
        };

    public IEnumerable<Option> All => [Table, _columns, _percent];

    /// <summary>The column mapping and percent flag as given (journaled, so that a resumed race reads the table the same way).</summary>
    public (string? Columns, bool? Percent) Mapping(ParseResult result) =>
        (result.GetValue(_columns), result.GetValue(_percent));

    /// <summary>
    /// The table the options name, mapped and checked, its keys read as architectures of <paramref name="space"/>; by
    /// default the shipped one (nb201 only), the one with curves for a race with a fidelity ladder
    /// (<paramref name="ladder"/>).
    /// </summary>
    public TabularTable Load(ParseResult result, SandboxHost host, bool ladder = false, string space = "nb201")
    {
        string path = result.GetValue(Table) ?? ShippedTables.DefaultFor(ladder, space);
        return TabularTable.Load(
            path,
            TableColumns.For(path, result.GetValue(_columns), result.GetValue(_percent)),
            Keys(host, space)
        );
    }

    /// <summary>
    /// How a table of <paramref name="space"/> is read: NB201 cells over any operation the host knows (a race on a
    /// cell table searches the operations its cells use), any other space's keys by its own parser.
    /// </summary>
    public static TableKeys Keys(SandboxHost host, string space)
    {
        if (host.ResolveSpace(space).Provider is not Nb201SpaceProvider)
            return TableKeys.Of(host.CreateSpace(space));
        // A cell may use a script's operation, which a lazy host compiles only when a name is not found otherwise: the
        // first key it cannot read loads the script folders, and keys are read again with every operation known.
        var cells = TableKeys.Nb201(host.Operations.Names);
        return cells with
        {
            Parse = key =>
            {
                try
                {
                    return cells.Parse(key);
                }
                catch (ArchitectureFormatException) when (!host.ScriptFoldersLoaded)
                {
                    host.LoadScriptFolders();
                    cells = TableKeys.Nb201(host.Operations.Names);
                    return cells.Parse(key);
                }
            },
        };
    }
}
