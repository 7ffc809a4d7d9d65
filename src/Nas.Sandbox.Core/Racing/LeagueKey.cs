namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Who a league rates: a strategy with its knobs, e.g. <c>regularized-evolution</c> or
/// <c>regularized-evolution:population=20,sample=3</c>. Knobs are sorted by name (ordinal), so the same setting
/// given in any order is the same player. The TUI looks ratings up by this key.
/// </summary>
public static class LeagueKey
{
    public static string Of(ContestantInfo contestant) => Of(contestant.Strategy, contestant.Knobs);

    public static string Of(string strategy, IReadOnlyDictionary<string, string> knobs) =>
        knobs.Count == 0
            ? strategy
            : $"{strategy}:{string.Join(",", knobs.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}"))}";
}
