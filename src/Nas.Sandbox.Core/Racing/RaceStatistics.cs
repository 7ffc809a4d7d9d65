using System.Globalization;
using System.Text;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Racing;

/// <summary>One contestant at one point of the budget: mean ± std over heats of its best validation accuracy so far, and
/// of the test accuracy of that best-by-validation architecture.</summary>
public sealed record CheckpointStanding(
    string Contestant,
    double Fraction,
    double Mark,
    double? Validation,
    double? ValidationStd,
    double? Test,
    double? TestStd,
    int Heats
);

/// <summary>A paired comparison over heats of two contestants' test accuracy of their best at the end of the budget.</summary>
public sealed record PairedComparison(string First, string Second, double MeanDifference, double PValue, int Heats);

/// <summary>
/// Anytime statistics of a race with a held-out score (a tabular race): standings at 25 %, 50 % and 100 % of the
/// budget (evaluations, or seconds under a seconds-only budget), and for each pair of contestants a two-sided
/// Wilcoxon signed-rank test over heats (paired by heat, since heats share seeds) of the test accuracy of their best.
/// Feed it the race's events (<c>referee.EventRaised += statistics.OnEvent</c>).
/// </summary>
public sealed class RaceStatistics
{
    public static readonly double[] Fractions = [0.25, 0.5, 1.0];
    private readonly Dictionary<(string Contestant, int Heat), List<Trial>> _trials = [];
    private readonly object _gate = new();

    public void OnEvent(RaceEvent raceEvent)
    {
        lock (_gate)
        {
            switch (raceEvent)
            {
                case TrialFinished e:
                    if (!_trials.TryGetValue((e.Contestant, e.Heat), out var list))
                        _trials[(e.Contestant, e.Heat)] = list = [];
                    list.Add(e.Trial);
                    break;
                case HeatRestarted e:
                    foreach (var key in _trials.Keys.Where(k => k.Heat == e.Heat).ToArray())
                        _trials.Remove(key);
                    break;
                case ContestantRemoved e:
                    foreach (var key in _trials.Keys.Where(k => k.Contestant == e.Contestant).ToArray())
                        _trials.Remove(key);
                    break;
            }
        }
    }

    public IReadOnlyList<CheckpointStanding> Checkpoints(RaceSettings settings, Func<string, double?> testAccuracyOf)
    {
        lock (_gate)
        {
            var (unit, budget) = Measure(settings);
            var result = new List<CheckpointStanding>();
            foreach (var contestant in _trials.Keys.Select(k => k.Contestant).Distinct().Order(StringComparer.Ordinal))
            foreach (double fraction in Fractions)
            {
                double mark = budget * fraction;
                var picks = _trials
                    .Where(t => t.Key.Contestant == contestant)
                    .Select(t => BestBy(t.Value, mark, unit))
                    .Where(b => b is not null)
                    .Select(b => b!)
                    .ToArray();
                var validation = picks.Select(p => p.Metrics.ValidationAccuracy!.Value).ToArray();
                var test = picks
                    .Select(p => testAccuracyOf(p.Architecture.Key))
                    .Where(t => t is not null)
                    .Select(t => t!.Value)
                    .ToArray();
                var (vm, vs) = Statistics.MeanStd(validation);
                var (tm, ts) = Statistics.MeanStd(test);
                result.Add(new CheckpointStanding(contestant, fraction, mark, vm, vs, tm, ts, picks.Length));
            }
            return result;
        }
    }

    public IReadOnlyList<PairedComparison> Comparisons(RaceSettings settings, Func<string, double?> testAccuracyOf)
    {
        lock (_gate)
        {
            var (unit, budget) = Measure(settings);
            var contestants = _trials.Keys.Select(k => k.Contestant).Distinct().Order(StringComparer.Ordinal).ToArray();
            var heats = _trials.Keys.Select(k => k.Heat).Distinct().Order().ToArray();
            double? Final(string c, int h) =>
                _trials.TryGetValue((c, h), out var t) && BestBy(t, budget, unit) is { } best
                    ? testAccuracyOf(best.Architecture.Key)
                    : null;
            var comparisons = new List<PairedComparison>();
            for (int i = 0; i < contestants.Length; i++)
            for (int j = i + 1; j < contestants.Length; j++)
            {
                var differences = heats
                    .Select(h => (Final(contestants[i], h), Final(contestants[j], h)))
                    .Where(p => p.Item1 is not null && p.Item2 is not null)
                    .Select(p => p.Item1!.Value - p.Item2!.Value)
                    .ToArray();
                if (differences.Length == 0)
                    continue;
                comparisons.Add(
                    new PairedComparison(
                        contestants[i],
                        contestants[j],
                        differences.Average(),
                        Wilcoxon.PValue(differences),
                        differences.Length
                    )
                );
            }
            return comparisons;
        }
    }

    /// <summary>A text report: the checkpoint table, then the pairwise tests.</summary>
    public string Describe(RaceSettings settings, Func<string, double?> testAccuracyOf)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var checkpoints = Checkpoints(settings, testAccuracyOf);
        string unit = Measure(settings).Unit switch
        {
            BudgetUnit.Evaluations => " evals",
            BudgetUnit.Epochs => " epochs",
            _ => "s",
        };
        text.AppendLine(
            c,
            $"anytime standings (mean ± std over heats; test = held-out accuracy of the best by validation):"
        );
        foreach (var group in checkpoints.GroupBy(p => p.Contestant))
        {
            text.Append(c, $"  {group.Key, -26}");
            foreach (var p in group)
                text.Append(
                    c,
                    $"  {p.Fraction * 100, 3:0}% ({p.Mark.ToString("0", c)}{unit}): val {F(p.Validation)} ± {F(p.ValidationStd)}, test {F(p.Test)} ± {F(p.TestStd)}"
                );
            text.AppendLine();
        }
        var comparisons = Comparisons(settings, testAccuracyOf);
        if (comparisons.Count > 0)
        {
            text.AppendLine(
                "paired two-sided Wilcoxon signed-rank tests over heats (test accuracy of the best at the end of the budget):"
            );
            foreach (var p in comparisons)
                text.AppendLine(
                    c,
                    $"  {p.First} − {p.Second}: mean difference {p.MeanDifference.ToString("+0.0000;-0.0000;0.0000", c)}, "
                        + $"p = {p.PValue.ToString("0.000", c)} over {p.Heats} heats{(p.PValue < 0.05 ? " (significant at 0.05)" : " (not significant at 0.05)")}"
                );
        }
        return text.ToString();

        string F(double? v) => v?.ToString("0.0000", c) ?? "-";
    }

    private enum BudgetUnit
    {
        Evaluations,
        Seconds,
        Epochs,
    }

    /// <summary>What the standings are measured in: the race's evaluation budget, else its epoch budget, else seconds.</summary>
    private static (BudgetUnit Unit, double Budget) Measure(RaceSettings settings) =>
        settings.Budget is { } evaluations ? (BudgetUnit.Evaluations, evaluations)
        : settings.BudgetEpochs is { } epochs ? (BudgetUnit.Epochs, epochs)
        : (BudgetUnit.Seconds, settings.BudgetSeconds ?? 0);

    /// <summary>
    /// The contestant's pick among the trials that finished within <paramref name="mark"/> evaluations, epochs or seconds:
    /// the ok trial with the best objective (<see cref="Trial.Objective"/>, the validation accuracy in the default race)
    /// at the highest rung reached (a race with a fidelity ladder; see <see cref="ContestantRun"/>).
    /// </summary>
    private static Trial? BestBy(List<Trial> trials, double mark, BudgetUnit unit)
    {
        Trial? best = null;
        double spent = 0;
        var epochsOf = new Dictionary<int, double>();
        for (int i = 0; i < trials.Count; i++)
        {
            var trial = trials[i];
            double epochs = trial.Fidelity.Epochs ?? 0;
            epochsOf[trial.Index] = epochs;
            spent += unit switch
            {
                BudgetUnit.Evaluations => 1,
                BudgetUnit.Seconds => trial.CostSeconds,
                _ => trial.FromCache
                    ? 0
                    : Math.Max(0, epochs - (trial.Continues is { } parent ? epochsOf.GetValueOrDefault(parent) : 0)),
            };
            if (spent > mark + 1e-9)
                break;
            if (
                trial.Status != TrialStatus.Ok
                || trial.Metrics.ValidationAccuracy is null
                || (trial.Objective ?? trial.Metrics.ValidationAccuracy) is not { } v
            )
                continue;
            int rung = trial.Rung ?? int.MaxValue,
                bestRung = best?.Rung ?? int.MaxValue;
            if (
                best is null
                || rung > bestRung
                || rung == bestRung && v > (best.Objective ?? best.Metrics.ValidationAccuracy!.Value)
            )
                best = trial;
        }
        return best;
    }
}
