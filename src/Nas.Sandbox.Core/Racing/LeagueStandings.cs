using System.Globalization;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The league at one moment, immutable: players sorted by rating (best first, then by key), and the ids of the
/// most recent heats already counted, so that a resumed race does not count a heat twice.
/// </summary>
public sealed class LeagueStandings
{
    /// <summary>How many heat ids are remembered; older ones are forgotten first.</summary>
    public const int RememberedHeats = 10_000;

    private readonly Dictionary<string, LeaguePlayer> _byKey;
    private readonly HashSet<string> _heatIds;

    public static LeagueStandings Empty { get; } = new([], []);

    public LeagueStandings(IEnumerable<LeaguePlayer> players, IEnumerable<string> recordedHeats)
    {
        Players = players.OrderByDescending(p => p.Rating).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        _byKey = Players.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var heats = recordedHeats.ToArray();
        RecordedHeats = heats.Length > RememberedHeats ? heats[^RememberedHeats..] : heats;
        _heatIds = new HashSet<string>(RecordedHeats, StringComparer.Ordinal);
    }

    public IReadOnlyList<LeaguePlayer> Players { get; }

    /// <summary>Ids of counted heats, oldest first.</summary>
    public IReadOnlyList<string> RecordedHeats { get; }

    public bool IsEmpty => Players.Count == 0;

    public LeaguePlayer? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>A player's rating; one never seen has the initial rating.</summary>
    public double RatingOf(string key) => Find(key)?.Rating ?? LeagueElo.InitialRating;

    public bool HasRecorded(string heatId) => _heatIds.Contains(heatId);

    /// <summary>
    /// The league after one more heat. The same player entered twice in a heat counts once, with its better result.
    /// Returns this very object when nothing changes: the heat was counted already, or it has fewer than two players.
    /// </summary>
    public LeagueStandings WithHeat(
        string heatId,
        IReadOnlyList<(ContestantInfo Info, double? Best)> results,
        DateTime playedUtc
    )
    {
        if (HasRecorded(heatId))
            return this;
        // Sorted by key so the arithmetic, and so the result, is the same whatever order the contestants come in.
        var entries = results
            .Select(r => (Key: LeagueKey.Of(r.Info), r.Info, Best: r.Best is { } b && !double.IsNaN(b) ? r.Best : null))
            .GroupBy(r => r.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.First().Info, Best: g.Max(r => r.Best)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToArray();
        if (entries.Length < 2)
            return this;

        var outcomes = LeagueElo.Rate(entries.Select(e => (RatingOf(e.Key), e.Best)).ToArray());
        string played = playedUtc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var players = new Dictionary<string, LeaguePlayer>(_byKey, StringComparer.Ordinal);
        for (int i = 0; i < entries.Length; i++)
        {
            var (key, info, best) = entries[i];
            var o = outcomes[i];
            var before = Find(key) ?? LeaguePlayer.Newcomer(key, info.Strategy, info.Knobs);
            players[key] = before with
            {
                Knobs = new SortedDictionary<string, string>(
                    info.Knobs.ToDictionary(k => k.Key, k => k.Value),
                    StringComparer.Ordinal
                ),
                Rating = before.Rating + o.Delta,
                Heats = before.Heats + 1,
                Wins = before.Wins + o.Wins,
                Draws = before.Draws + o.Draws,
                Losses = before.Losses + o.Losses,
                BestAccuracy = Max(before.BestAccuracy, best),
                LastPlayed = played,
            };
        }
        return new LeagueStandings(players.Values, RecordedHeats.Append(heatId));
    }

    private static double? Max(double? a, double? b) =>
        a is null ? b
        : b is null ? a
        : Math.Max(a.Value, b.Value);
}
