using System.Globalization;
using System.Text;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing.Objectives;

/// <summary>One contestant's fronts in a Pareto race: one per heat, and the pooled front (non-dominated over all heats).</summary>
public sealed record ContestantFronts(
    string Contestant,
    IReadOnlyList<(int Heat, IReadOnlyList<ParetoPoint> Front)> Heats,
    IReadOnlyList<(int Heat, ParetoPoint Point)> Pooled
);

/// <summary>
/// The Pareto fronts of a finished race, from its heat standings, and their CSV export: one row per front point with
/// each component in its own unit (accuracy a fraction, params and FLOPs in millions, latency in ms). Rows with
/// <c>front</c> = <c>heat</c> are that heat's front; rows with <c>front</c> = <c>pooled</c> are the contestant's
/// front over all heats (each point says the heat it came from).
/// </summary>
public static class ParetoFronts
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Each contestant's fronts (in summary order), from the heats' standings.</summary>
    public static IReadOnlyList<ContestantFronts> Of(RaceSummary summary)
    {
        var heats = summary.Heats;
        var result = new List<ContestantFronts>();
        foreach (var contestant in summary.Contestants)
        {
            var perHeat = heats
                .Select((standings, heat) => (heat, standings.FirstOrDefault(s => s.Contestant == contestant.Label)))
                .Where(h => h.Item2 is not null)
                .Select(h => (h.heat, (IReadOnlyList<ParetoPoint>)(h.Item2!.Front ?? [])))
                .ToArray();
            // An architecture found in several heats appears once in the pooled front (from the first heat that found it).
            var all = perHeat
                .SelectMany(h => h.Item2.Select(p => (Heat: h.heat, Point: p)))
                .DistinctBy(p => p.Point.Architecture)
                .ToArray();
            var pooled = ParetoRanking
                .NonDominated(all.Select(a => a.Point.Objectives).ToArray())
                .Select(i => all[i])
                .ToArray();
            result.Add(new ContestantFronts(contestant.Label, perHeat, pooled));
        }
        return result;
    }

    public static string[] Header(RaceObjective objective) =>
        ["contestant", "front", "heat", "index", "arch", .. objective.Components.Select(ColumnName)];

    /// <summary>The column of a component: its name and unit, e.g. <c>params_m</c>, <c>latency1_ms</c>.</summary>
    public static string ColumnName(ObjectiveMetric metric) =>
        metric.Unit.Length == 0 ? metric.Name : $"{metric.Name}_{metric.Unit.ToLowerInvariant()}";

    public static string Csv(RaceObjective objective, IReadOnlyList<ContestantFronts> fronts)
    {
        var rows = new List<string[]>();
        foreach (var c in fronts)
        {
            foreach (var (heat, front) in c.Heats)
            foreach (var point in Sorted(front))
                Row(c.Contestant, heat.ToString(Invariant), heat, point);
            foreach (
                var (heat, point) in c
                    .Pooled.OrderBy(p => p.Point.Objectives[0])
                    .ThenBy(p => p.Point.Architecture, StringComparer.Ordinal)
            )
                Row(c.Contestant, "pooled", heat, point);
        }
        return CsvFormat.Text(Header(objective), rows);

        void Row(string contestant, string front, int heat, ParetoPoint point) =>
            rows.Add([
                contestant,
                front,
                heat.ToString(Invariant),
                point.Index.ToString(Invariant),
                point.Architecture,
                .. objective.Components.Select((m, i) => m.FromVector(point.Objectives[i]).ToString("R", Invariant)),
            ]);
    }

    /// <summary>A front in order of its first component (then architecture, for a stable file).</summary>
    public static IEnumerable<ParetoPoint> Sorted(IEnumerable<ParetoPoint> front) =>
        front.OrderBy(p => p.Objectives[0]).ThenBy(p => p.Architecture, StringComparer.Ordinal);
}
