using System.Globalization;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>
/// The final leaderboard as an aligned text table. A race whose objective is not plain accuracy says so and shows the
/// best objective; a Pareto race shows each contestant's hypervolume (its rank key) and states the reference point.
/// </summary>
internal static class LeaderboardPrinter
{
    public static void Print(TextWriter output, RaceSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        var objective = summary.Settings.Objective;
        int width = Math.Max(10, summary.Contestants.Max(r => r.Label.Length));
        // Tabular races know the held-out test accuracy of the architecture each contestant picked by validation.
        bool test = summary.Contestants.Any(r => r.TestAccuracyOfBest is not null);
        // Strategies that train on the race's data (DARTS, GDAS) have search time charged in their seconds.
        bool search = summary.Contestants.Any(r => r.SearchSeconds > 0);
        bool pareto = summary.Reference is not null;
        // Several workers: how many each contestant kept busy on average, and its worker clock per heat (simulated wall-clock).
        bool workers = summary.Settings.Workers > 1;
        // A race with a fidelity ladder is budgeted in epochs: every contestant is measured in the same unit.
        bool epochs = summary.Contestants.Any(r => r.Epochs is not null);
        bool scalarised = !pareto && !objective.IsAccuracy;
        string MeanStd(double? mean, double? std) =>
            mean is { } m
                ? (
                    summary.Settings.Heats > 1
                        ? $"{m.ToString("0.0000", c)} ± {(std ?? 0).ToString("0.0000", c)}"
                        : m.ToString("0.0000", c)
                )
                : "-";
        output.WriteLine();
        if (pareto)
        {
            var r = summary.Reference!;
            output.WriteLine(
                $"objective: {objective.Text} ({string.Join(", ", r.Components.Select(m => m.IsCost ? $"minimise {m.Name} ({m.Unit})" : $"maximise {m.Name}"))})"
            );
            output.WriteLine($"reference point: {r}");
            output.WriteLine(
                "hypervolume: share of the box between the reference point and the ideal point (accuracy 1, zero cost) that a "
                    + "contestant's front dominates in a heat; mean ± std over heats"
            );
        }
        else if (scalarised)
            output.WriteLine(
                $"objective: maximise {objective.Text} (params and flops in millions, latency in ms); ranked by the best objective"
            );
        output.WriteLine(
            $"{"rank", 4}  {"contestant".PadRight(width)}  {"source", -14} {"version", -8} "
                + (
                    pareto ? $"{"hypervolume", -18} {"front", 5} "
                    : scalarised ? $"{"best objective", -18} "
                    : ""
                )
                + $"{"best val acc", -18} "
                + (test ? $"{"test acc of best", -18} " : "")
                + $"{"evals", 5} {"fail", 4} {"seconds", 8}"
                + (epochs ? $" {"epochs", 8}" : "")
                + (search ? $" {"of it search", 13}" : "")
                + (workers ? $" {"workers", 7} {"clock s", 9}" : "")
        );
        foreach (var r in summary.Contestants)
        {
            string accuracy = MeanStd(r.BestValidationAccuracy, r.BestValidationAccuracyStd);
            string testAccuracy = test ? $"{MeanStd(r.TestAccuracyOfBest, r.TestAccuracyOfBestStd), -18} " : "";
            string lead =
                pareto ? $"{MeanStd(r.Hypervolume, r.HypervolumeStd), -18} {FrontSize(summary, r.Label), 5} "
                : scalarised ? $"{MeanStd(r.BestObjective, r.BestObjectiveStd), -18} "
                : "";
            output.WriteLine(
                $"{r.Rank, 4}  {r.Label.PadRight(width)}  {r.Source, -14} {r.Version, -8} {lead}{accuracy, -18} {testAccuracy}{r.Evaluations, 5} {r.Failures, 4} {r.Seconds.ToString("0.0", c), 8}"
                    + (epochs ? $" {(r.Epochs ?? 0).ToString("0", c), 8}" : "")
                    + (search ? $" {r.SearchSeconds.ToString("0.0", c), 13}" : "")
                    + (
                        workers
                            ? $" {(r.MeanWorkers ?? 0).ToString("0.00", c), 7} {(r.ClockSeconds ?? 0).ToString("0.0", c), 9}"
                            : ""
                    )
            );
        }
        if (workers)
            output.WriteLine(
                summary.Settings.WorkerProcesses
                    ? $"(workers: mean of the {summary.Settings.Workers} shared worker processes its trials kept busy over the heat; clock s: "
                        + "wall-clock seconds from the heat's start to its last trial's return, mean over heats)"
                    : $"(workers: mean of its {summary.Settings.Workers} workers busy over its worker clock; clock s: its worker clock at the end of a heat, "
                        + "mean over heats: the wall-clock time the heat takes with that many workers of its own)"
            );
        if (pareto)
            output.WriteLine("(front: mean number of architectures on a contestant's Pareto front per heat)");
        var winner = summary.Contestants[0];
        output.WriteLine();
        output.WriteLine(
            winner.BestArchitecture is null ? "no contestant finished an evaluation."
            : pareto
                ? $"winner: {winner.Label} by hypervolume; its best architecture by {summary.Reference!.Components[0].Name} is {winner.BestArchitecture} (race took {summary.WallSeconds.ToString("0.0", c)} s)"
            : $"winner: {winner.Label}, best architecture {winner.BestArchitecture} (race took {summary.WallSeconds.ToString("0.0", c)} s)"
        );
    }

    private static string FrontSize(RaceSummary summary, string label)
    {
        var sizes = summary
            .Heats.SelectMany(h => h)
            .Where(s => s.Contestant == label)
            .Select(s => (double)(s.Front?.Count ?? 0))
            .ToArray();
        return sizes.Length == 0 ? "-" : sizes.Average().ToString("0.#", CultureInfo.InvariantCulture);
    }
}
