namespace Nas.Sandbox.Core.Racing;

/// <summary>What one heat did to one player: rating change and pairwise wins, draws and losses.</summary>
public readonly record struct EloOutcome(double Delta, int Wins, int Draws, int Losses);

/// <summary>
/// Multiplayer Elo for one heat: every pair of players is one game decided by best validation accuracy (higher wins,
/// equal draws, nothing succeeded loses to anything and draws with nothing). K is split over the n-1 games a player
/// plays (K = 32/(n-1)), so a heat moves a rating about as much as one two-player game, however many raced.
/// All deltas come from the pre-heat ratings, so the outcome does not depend on the order of the players.
/// </summary>
public static class LeagueElo
{
    public const double InitialRating = 1500;
    public const double K = 32;

    public static IReadOnlyList<EloOutcome> Rate(IReadOnlyList<(double Rating, double? Accuracy)> players)
    {
        int n = players.Count;
        if (n < 2)
            return players.Select(_ => new EloOutcome(0, 0, 0, 0)).ToArray();
        double k = K / (n - 1);
        var outcomes = new EloOutcome[n];
        for (int i = 0; i < n; i++)
        {
            // Sum the pair terms smallest first: the same multiset of terms then gives the same bits in any order.
            var terms = new List<double>(n - 1);
            int wins = 0,
                draws = 0,
                losses = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i)
                    continue;
                double score = Score(players[i].Accuracy, players[j].Accuracy);
                if (score == 1)
                    wins++;
                else if (score == 0)
                    losses++;
                else
                    draws++;
                terms.Add(k * (score - Expected(players[i].Rating, players[j].Rating)));
            }
            terms.Sort();
            outcomes[i] = new EloOutcome(terms.Sum(), wins, draws, losses);
        }
        return outcomes;
    }

    /// <summary>The expected score of a player rated <paramref name="rating"/> against one rated <paramref name="opponent"/>.</summary>
    public static double Expected(double rating, double opponent) => 1 / (1 + Math.Pow(10, (opponent - rating) / 400));

    /// <summary>1 for a win, ½ for a draw, 0 for a loss. NaN counts as nothing succeeded.</summary>
    public static double Score(double? accuracy, double? opponent)
    {
        double? a = accuracy is { } x && !double.IsNaN(x) ? x : null;
        double? b = opponent is { } y && !double.IsNaN(y) ? y : null;
        return (a, b) switch
        {
            (null, null) => 0.5,
            (null, _) => 0,
            (_, null) => 1,
            var (p, q) when p > q => 1,
            var (p, q) when p < q => 0,
            _ => 0.5,
        };
    }
}
