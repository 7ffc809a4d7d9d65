namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// One player of the league (a strategy with its knobs, see <see cref="LeagueKey"/>). Wins, draws and losses are
/// pairwise games: a heat of n players gives each of them n-1 games. <see cref="LastPlayed"/> is a UTC ISO-8601 time.
/// </summary>
public sealed record LeaguePlayer(
    string Key,
    string Strategy,
    IReadOnlyDictionary<string, string> Knobs,
    double Rating,
    int Heats,
    int Wins,
    int Draws,
    int Losses,
    double? BestAccuracy,
    string? LastPlayed
)
{
    public static LeaguePlayer Newcomer(string key, string strategy, IReadOnlyDictionary<string, string> knobs) =>
        new(key, strategy, knobs, LeagueElo.InitialRating, 0, 0, 0, 0, null, null);
}
