using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>
/// One line per trial and per notable event, for a human watching stderr. With <paramref name="perHeat"/> (a tabular
/// race runs thousands of lookups a second) it prints one line per finished heat instead of one per trial.
/// </summary>
internal sealed class ProgressPrinter(TextWriter output, RaceSettings settings, bool perHeat = false)
{
    private readonly bool _perHeat = perHeat;

    // Search time charged for a contestant's Ask, shown on the line of the trial that Ask became.
    private readonly Dictionary<string, double> _askCharges = [];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public void Print(RaceEvent raceEvent)
    {
        lock (output)
            Write(raceEvent);
    }

    private void Write(RaceEvent raceEvent)
    {
        switch (raceEvent)
        {
            case RaceStarted e:
                output.WriteLine(
                    $"race: {string.Join(" vs ", e.Contestants.Select(c => $"{c.Label} ({c.Source} {c.Version})"))}"
                );
                output.WriteLine(
                    $"      space {e.Settings.Space}, {Estimator(e)}, "
                        + $"budget {Budget(e.Settings)}, {e.Settings.Heats} heat(s), seed {e.Settings.Seed}"
                );
                if (!e.Settings.Objective.IsAccuracy)
                    output.WriteLine($"      objective {e.Settings.Objective.Text}");
                break;
            case HeatStarted e:
                output.WriteLine($"heat {e.Heat + 1}/{settings.Heats} (seed {e.Seed})");
                break;
            case SearchCharged e when e.Phase == "ask":
                _askCharges[e.Contestant] = e.Seconds;
                break;
            case TrialFinished when _perHeat:
                break;
            case HeatFinished e when _perHeat:
                output.WriteLine(
                    string.Join(
                        "  ",
                        e.Standings.Select(st =>
                            string.Create(
                                Invariant,
                                $"{st.Contestant} {HeatResult(st)} ({st.Evaluations} evals, {st.Seconds:0} s)"
                            )
                        )
                    )
                );
                break;
            case TrialFinished e:
                var t = e.Trial;
                string measured = Measured(t.Metrics);
                string status = t.Status == TrialStatus.Ok ? "" : $" {JournalFormat.StatusName(t.Status)}: {t.Message}";
                string cached = t.FromCache ? " (repeat, from cache)" : "";
                string search = _askCharges.Remove(e.Contestant, out double charged)
                    ? string.Create(Invariant, $"  +{charged:0.0}s search")
                    : "";
                output.WriteLine(
                    string.Create(
                        Invariant,
                        $"  {e.Contestant, -24} #{t.Index + 1, -3} {t.Architecture.Key}  {measured}{Costs(t)}  {t.CostSeconds, 5:0.0}s{search}  best {e.BestSoFar?.ToString("0.0000", Invariant) ?? "-"}{cached}{status}"
                    )
                );
                break;
            case ContestantSwapped e:
                output.WriteLine(
                    string.Create(
                        Invariant,
                        $"  {e.Contestant, -24} SWAPPED {e.OldVersion} -> {e.NewVersion} ({e.Reason}; {e.TrialsReplayed} trials replayed in {e.Milliseconds:0} ms)"
                    )
                );
                break;
            case SwapFailed e:
                output.WriteLine($"  {e.Contestant, -24} SWAP FAILED, the old version keeps racing: {e.Message}");
                break;
            case ContestantFailed e:
                _askCharges.Remove(e.Contestant);
                output.WriteLine($"  {e.Contestant, -24} #{e.Index + 1, -3} FAILED in {e.Phase}: {e.Message}");
                break;
            case EstimatorNotice e:
                output.WriteLine($"  [workers] {e.Message}");
                break;
        }
    }

    /// <summary>A watched script was recompiled after a save (with its errors when it did not compile).</summary>
    public void ScriptRecompiled(
        string path,
        IReadOnlyList<Nas.Sandbox.Core.Hosting.Scripts.ScriptDiagnostic> diagnostics
    )
    {
        lock (output)
        {
            var errors = diagnostics.Where(d => d.IsError).ToArray();
            output.WriteLine(
                errors.Length == 0
                    ? $"  script {path} recompiled"
                    : $"  script {path} has errors; the old version keeps racing:"
            );
            foreach (var error in errors)
                output.WriteLine($"    {error}");
        }
    }

    public void PackChanged(string message)
    {
        lock (output)
            output.WriteLine($"  {message}");
    }

    public void PluginReloaded(string path, string? failure)
    {
        lock (output)
            output.WriteLine(failure is null ? $"  plugin {path} reloaded" : $"  {failure}");
    }

    /// <summary>
    /// The estimator and what it ran on: a table (its file and how lookups report seeds; the table was measured at its
    /// own fidelity, on its own data), or the fidelity and data set every trial trains or is scored on.
    /// </summary>
    private static string Estimator(RaceStarted e) =>
        e.Settings.Table is { } table
            ? $"estimator {e.Estimator} (table {Path.GetFileName(table)}, seeds {e.Settings.TableSeeds ?? "mean"})"
            : $"estimator {e.Estimator} ({e.Fidelity}), dataset {e.Settings.Dataset}";

    /// <summary>
    /// What the estimator measured: the validation accuracy, or a zero-cost proxy's score (it measures no accuracy; the
    /// race ranks by the score), or a dash when neither (a failed trial).
    /// </summary>
    private static string Measured(Metrics metrics) =>
        metrics.ValidationAccuracy is { } accuracy ? string.Create(Invariant, $"acc {accuracy:0.0000}")
        : metrics.Score is { } score ? string.Create(Invariant, $"score {score:0.0000}")
        : "acc   -   ";

    /// <summary>The costs the objective reads (Pareto) or the objective's value (scalarised); nothing in an accuracy race.</summary>
    private string Costs(Trial t)
    {
        var objective = settings.Objective;
        if (objective.IsAccuracy || t.Status != TrialStatus.Ok)
            return "";
        if (!objective.IsPareto)
            return t.Objective is { } o ? string.Create(Invariant, $"  obj {o:0.0000}") : "";
        return string.Concat(
            objective
                .Components.Where(m => m.IsCost)
                .Select(m => m.Read(t.Metrics) is { } v ? $"  {m.Name} {m.Format(v)}" : "")
        );
    }

    /// <summary>A heat's result for one contestant: best accuracy, best objective (scalarised) or front size (Pareto).</summary>
    private string HeatResult(HeatStanding st) =>
        settings.Objective.IsPareto
            ? $"front of {st.Front?.Count ?? 0}, best acc {st.BestValidationAccuracy?.ToString("0.0000", Invariant) ?? "-"}"
        : settings.Objective.IsAccuracy ? st.BestValidationAccuracy?.ToString("0.0000", Invariant) ?? "-"
        : $"obj {st.BestObjective?.ToString("0.0000", Invariant) ?? "-"}";

    private static string Budget(RaceSettings s) =>
        string.Join(
            " and ",
            new[]
            {
                s.Budget is { } n ? $"{n} evaluations" : null,
                s.BudgetSeconds is { } sec ? $"{sec.ToString(Invariant)} s" : null,
                s.BudgetEpochs is { } epochs ? $"{epochs.ToString(Invariant)} epochs" : null,
            }.Where(x => x is not null)
        );
}
