using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Tests;

/// <summary>Contestants, results and a fixed clock for league tests.</summary>
internal static class LeagueTestKit
{
    public static ContestantInfo Contestant(string strategy, params (string Name, string Value)[] knobs)
    {
        var given = knobs.ToDictionary(k => k.Name, k => k.Value);
        string label =
            given.Count == 0 ? strategy : $"{strategy}:{string.Join(",", knobs.Select(k => $"{k.Name}={k.Value}"))}";
        return new ContestantInfo(label, strategy, "test", "tests", "1.0.0", given);
    }

    public static (ContestantInfo Info, double? Best)[] Results(params (ContestantInfo Info, double? Best)[] results) =>
        results;

    public static readonly DateTime PlayedAt = new(2025, 6, 1, 12, 30, 0, DateTimeKind.Utc);
}

/// <summary>A clock that always says <see cref="LeagueTestKit.PlayedAt"/>.</summary>
internal sealed class FixedClock(DateTime utc) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(utc);
}
