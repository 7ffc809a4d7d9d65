using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tui.Views;

/// <summary>
/// The leaderboard's columns. The contestant column takes the room left over; when the panel is too narrow for all
/// columns, the least important go first (version, then failures...), never rank, contestant or best accuracy.
/// </summary>
internal sealed record LeaderboardColumn(
    string Title,
    int Width,
    int Priority,
    bool RightAligned,
    Func<ContestantStanding, string> Value
)
{
    public const int ContestantMinWidth = 12;

    /// <summary>The score column: best accuracy, best objective or hypervolume; its title follows the race's objective.</summary>
    public const string ScoreTitle = "best";

    public static readonly IReadOnlyList<LeaderboardColumn> All =
    [
        new("source", 8, 5, false, s => s.Source),
        new("version", 16, 1, false, s => s.Version),
        new(ScoreTitle, 6, 9, true, s => TerminalText.Accuracy(s.Best)),
        new("mean ± std", 15, 4, true, s =>
            s.MeanBest is { } m ? $"{TerminalText.Accuracy(m)} ± {TerminalText.Accuracy(s.StdBest)}" : "-"
        ),
        new("evals", 7, 8, true, Spent),
        new("fail", 4, 2, true, s => s.Failures.ToString(TerminalText.Invariant)),
        new("time", 6, 3, true, s => TerminalText.Seconds(s.Seconds)),
        new("rating", 6, 6, true, s => s.Rating is { } r ? r.ToString("0", TerminalText.Invariant) : "-"),
    ];

    /// <summary>Evaluations used of the budget, or in a race budgeted in epochs the epochs paid of it (e.g. 45/270ep).</summary>
    private static string Spent(ContestantStanding s) =>
        s.BudgetEpochs is { } epochs
            ? $"{(s.Epochs ?? 0).ToString("0", TerminalText.Invariant)}/{epochs.ToString("0", TerminalText.Invariant)}ep"
        : s.Budget is { } b ? $"{s.Used}/{b}"
        : s.Used.ToString(TerminalText.Invariant);

    /// <summary>The columns that fit in <paramref name="width"/> with room for the rank and contestant columns.</summary>
    public static IReadOnlyList<LeaderboardColumn> Fitting(int width, int rankWidth)
    {
        var chosen = All.ToList();
        while (chosen.Count > 0 && rankWidth + ContestantMinWidth + chosen.Sum(c => c.Width + 1) > width)
            chosen.Remove(chosen.MinBy(c => c.Priority)!);
        return chosen;
    }
}
