using System.Diagnostics;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Runs a race: every contestant of a heat gets the same space, estimator, fidelity, data split and budget, and they
/// take turns one trial at a time so that partial standings are fair at every moment. The referee owns each
/// contestant's history and cache. Every event is journaled before listeners hear of it, and a trial is journaled
/// before the strategy is told. A contestant's failure (in its constructor, Ask or Tell, or an architecture outside
/// the space) is journaled, counts one evaluation of its budget and never stops the race.
/// </summary>
public sealed class Referee(ISearchSpace space, IEstimator estimator, StrategyCatalog strategies, IRaceJournal journal)
{
    public event Action<RaceEvent>? EventRaised;

    public async Task<RaceSummary> RunAsync(RaceSettings settings, CancellationToken cancellation = default)
    {
        settings.Validate();
        var entries = settings.Contestants.Select(spec => (Spec: spec, Entry: strategies.Get(spec.Strategy))).ToArray();
        var labels = UniqueLabels(settings.Contestants);
        var infos = entries.Select((e, i) => new ContestantInfo(labels[i], e.Entry.Name, e.Entry.Source.Kind, e.Entry.Source.Origin,
            e.Entry.Source.Version, e.Spec.Knobs)).ToArray();
        // Validate every contestant's knobs before anything runs: a typo should cost nothing.
        var knobs = entries.Select(e => KnobValues.Create(e.Entry.Name, e.Entry.Factory.Knobs, e.Spec.Knobs)).ToArray();

        var clock = Stopwatch.StartNew();
        Raise(new RaceStarted(settings, infos, estimator.Name, Describe(settings.Fidelity)));
        var heats = new List<IReadOnlyList<HeatStanding>>();
        for (int heat = 0; heat < settings.Heats; heat++)
        {
            long heatSeed = SeedMixer.Derive(settings.Seed, "heat", heat);
            Raise(new HeatStarted(heat, heatSeed));
            var contestants = infos.Select((info, i) => new ContestantRun(info.Label, entries[i].Entry.Factory, knobs[i])).ToArray();
            foreach (var contestant in contestants) Create(contestant, heat);
            while (contestants.Any(c => c.HasBudget(settings)))
                foreach (var contestant in contestants.Where(c => c.HasBudget(settings)))
                    await StepAsync(contestant, settings, heat, heatSeed, cancellation);
            var standings = contestants.Select(c => c.Standing()).ToArray();
            heats.Add(standings);
            Raise(new HeatFinished(heat, standings));
        }
        var summary = RaceSummary.From(settings, infos, heats, clock.Elapsed.TotalSeconds);
        Raise(new RaceFinished(summary));
        return summary;
    }

    private void Create(ContestantRun contestant, int heat)
    {
        try { contestant.Strategy = contestant.Factory.Create(contestant.Knobs); }
        catch (Exception e)
        {
            contestant.Disqualified = true;
            Raise(new ContestantFailed(contestant.Label, heat, 0, "create", Describe(e)));
        }
    }

    private async Task StepAsync(ContestantRun contestant, RaceSettings settings, int heat, long heatSeed, CancellationToken cancellation)
    {
        int index = contestant.Used;
        var context = new SearchContext
        {
            Space = space,
            Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(heatSeed, contestant.Label, index))),
            AskIndex = index,
            EvaluationBudget = settings.Budget,
            SecondsBudget = settings.BudgetSeconds,
            EvaluationsUsed = contestant.Used,
            SecondsUsed = contestant.Seconds,
        };
        Architecture? architecture;
        try { architecture = contestant.Strategy!.Ask(context); }
        catch (Exception e)
        {
            Fault(contestant, heat, index, "ask", Describe(e));
            return;
        }
        if (architecture is null || !space.Contains(architecture))
        {
            Fault(contestant, heat, index, "ask", architecture is null
                ? "Ask returned null."
                : $"Ask returned '{architecture.Key}', which is not in space '{space.Name}'.");
            return;
        }

        Trial trial;
        if (contestant.Cache.TryGetValue(architecture, out var paid))
            trial = paid with { Index = index, CostSeconds = 0, FromCache = true };
        else
        {
            var request = new EvaluationRequest
            {
                // The same architecture in the same heat gets the same seed for every contestant: equal noise, fair.
                Seed = SeedMixer.Derive(heatSeed, "architecture", architecture.Key),
                DataSeed = heatSeed,
                Fidelity = settings.Fidelity,
            };
            EvaluationResult result;
            try { result = await estimator.EvaluateAsync(architecture, request, cancellation); }
            catch (OperationCanceledException) { throw; }
            catch (Exception e)
            {
                result = new EvaluationResult { Status = TrialStatus.Failed, Metrics = new Metrics(), CostSeconds = 0, Fidelity = settings.Fidelity, Message = Describe(e) };
            }
            trial = new Trial
            {
                Index = index, Architecture = architecture, Status = result.Status, Metrics = result.Metrics,
                CostSeconds = result.CostSeconds, Fidelity = result.Fidelity, Message = result.Message,
            };
            contestant.Cache[architecture] = trial;
        }
        contestant.Record(trial);
        Raise(new TrialFinished(contestant.Label, heat, trial, contestant.Best));
        try { contestant.Strategy!.Tell(trial); }
        catch (Exception e) { Raise(new ContestantFailed(contestant.Label, heat, index, "tell", Describe(e))); }
    }

    private void Fault(ContestantRun contestant, int heat, int index, string phase, string message)
    {
        contestant.Used++;
        contestant.Failures++;
        Raise(new ContestantFailed(contestant.Label, heat, index, phase, message));
    }

    private void Raise(RaceEvent raceEvent)
    {
        journal.Append(raceEvent);
        EventRaised?.Invoke(raceEvent);
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    private static string Describe(Fidelity f) =>
        string.Join(", ", new[]
        {
            f.Epochs is { } e ? $"epochs={e}" : null, f.TrainingImages is { } t ? $"images={t}" : null,
            f.Channels is { } c ? $"channels={c}" : null, f.CellsPerStage is { } n ? $"cells={n}" : null,
            f.BatchSize is { } b ? $"batch={b}" : null,
        }.Where(s => s is not null));

    private static string[] UniqueLabels(IReadOnlyList<ContestantSpec> specs)
    {
        var labels = new string[specs.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < specs.Count; i++)
        {
            string label = specs[i].Label;
            int count = seen[label] = seen.GetValueOrDefault(label) + 1;
            labels[i] = count == 1 ? label : $"{label}#{count}";
        }
        return labels;
    }

    /// <summary>One contestant in one heat: its strategy instance, history, cache and spending.</summary>
    private sealed class ContestantRun(string label, IStrategyFactory factory, KnobValues knobs)
    {
        public string Label { get; } = label;
        public IStrategyFactory Factory { get; } = factory;
        public KnobValues Knobs { get; } = knobs;
        public IStrategy? Strategy { get; set; }
        public bool Disqualified { get; set; }
        public Dictionary<Architecture, Trial> Cache { get; } = [];
        public List<Trial> History { get; } = [];
        public int Used { get; set; }
        public int Failures { get; set; }
        public double Seconds { get; private set; }
        public double? Best { get; private set; }
        private string? _bestArchitecture;

        public bool HasBudget(RaceSettings settings) =>
            !Disqualified && (settings.Budget is not { } n || Used < n) && (settings.BudgetSeconds is not { } s || Seconds < s);

        public void Record(Trial trial)
        {
            History.Add(trial);
            Used++;
            Seconds += trial.CostSeconds;
            if (trial.Status != TrialStatus.Ok) Failures++;
            else if (trial.Metrics.ValidationAccuracy is { } accuracy && (Best is null || accuracy > Best))
            {
                Best = accuracy;
                _bestArchitecture = trial.Architecture.Key;
            }
        }

        public HeatStanding Standing() => new(Label, Used, Failures, Seconds, Best, _bestArchitecture);
    }
}
