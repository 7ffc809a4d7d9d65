using System.Globalization;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;

namespace Nas.Sandbox.Cli;

/// <summary><c>--fidelities</c>: the race's fidelity ladder, whole epochs, increasing.</summary>
internal static class FidelityLadder
{
    public static IReadOnlyList<int> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return [];
        var rungs = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) || epochs < 1)
                throw new NasException($"--fidelities {text}: '{part}' is not a whole number of epochs of at least 1.");
            if (rungs.Count > 0 && epochs <= rungs[^1])
                throw new NasException(
                    $"--fidelities {text}: the ladder must be increasing, but {epochs} follows {rungs[^1]}."
                );
            rungs.Add(epochs);
        }
        return rungs;
    }

    /// <summary>A table race with a ladder needs every row's curve up to the top rung.</summary>
    public static void RequireCurves(IReadOnlyList<int> ladder, TabularTable table)
    {
        if (ladder.Count == 0)
            return;
        if (!table.PresentKeys.Contains("curve") || !table.PresentKeys.Contains("seconds-curve"))
            throw new NasException(
                $"--fidelities: table {table.Path} has no learning curves (columns {table.Columns.Curve} and "
                    + $"{table.Columns.SecondsCurve}); make one with nas tabulate --curve, or race without a ladder."
            );
        var shortest = table.Rows.MinBy(r => r.Curve?.Count ?? 0)!;
        if ((shortest.Curve?.Count ?? 0) < ladder[^1])
            throw new NasException(
                $"--fidelities {string.Join(',', ladder)}: table {table.Path} holds {shortest.Curve?.Count ?? 0} epochs "
                    + $"at line {shortest.Line}, fewer than the top rung ({ladder[^1]})."
            );
    }
}
