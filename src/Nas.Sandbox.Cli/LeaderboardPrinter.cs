using System.Globalization;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>The final leaderboard as an aligned text table.</summary>
internal static class LeaderboardPrinter
{
    public static void Print(TextWriter output, RaceSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(10, summary.Contestants.Max(r => r.Label.Length));
        // Tabular races know the held-out test accuracy of the architecture each contestant picked by validation.
        bool test = summary.Contestants.Any(r => r.TestAccuracyOfBest is not null);
        // Strategies that train on the race's data (DARTS, GDAS) have search time charged in their seconds.
        bool search = summary.Contestants.Any(r => r.SearchSeconds > 0);
        string MeanStd(double? mean, double? std) => mean is { } m
            ? (summary.Settings.Heats > 1 ? $"{m.ToString("0.0000", c)} ± {(std ?? 0).ToString("0.0000", c)}" : m.ToString("0.0000", c))
            : "-";
        output.WriteLine();
        output.WriteLine($"{"rank",4}  {"contestant".PadRight(width)}  {"source",-14} {"version",-8} {"best val acc",-18} " +
                         (test ? $"{"test acc of best",-18} " : "") + $"{"evals",5} {"fail",4} {"seconds",8}" + (search ? $" {"of it search",13}" : ""));
        foreach (var r in summary.Contestants)
        {
            string accuracy = MeanStd(r.BestValidationAccuracy, r.BestValidationAccuracyStd);
            string testAccuracy = test ? $"{MeanStd(r.TestAccuracyOfBest, r.TestAccuracyOfBestStd),-18} " : "";
            output.WriteLine($"{r.Rank,4}  {r.Label.PadRight(width)}  {r.Source,-14} {r.Version,-8} {accuracy,-18} {testAccuracy}{r.Evaluations,5} {r.Failures,4} {r.Seconds.ToString("0.0", c),8}" + (search ? $" {r.SearchSeconds.ToString("0.0", c),13}" : ""));
        }
        var winner = summary.Contestants[0];
        output.WriteLine();
        output.WriteLine(winner.BestArchitecture is null
            ? "no contestant finished an evaluation."
            : $"winner: {winner.Label}, best architecture {winner.BestArchitecture} (race took {summary.WallSeconds.ToString("0.0", c)} s)");
    }
}
