using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The example script strategies keep the promises every strategy makes: raced by the referee they stay in the space,
/// spend their budget without faults and (being searches, not samplers) beat their first trial; and an instance
/// rebuilt by replaying Tell asks exactly what the original asks next.
/// </summary>
public class ScriptStrategyTests
{
    private readonly Nb201Space _space = new();

    [Theory]
    [InlineData("greedy-local-search.csx", "greedy-local-search")]
    [InlineData("edge-bandit.csx", "edge-bandit")]
    [InlineData("edge-bandit.csx", "edge-bandit:exploration=1.0")]
    [InlineData("crossover-evolution.csx", "crossover-evolution")]
    [InlineData("crossover-evolution.csx", "crossover-evolution:population=6,tournament=2,mutation=1")]
    public async Task Raced_by_the_referee_it_stays_in_the_space_finishes_and_beats_its_first_trial(
        string file,
        string contestant
    )
    {
        using var script = ScriptTestKit.CompileExample(file);
        var catalog = new StrategyCatalog(
            script.Strategies.Select(f => new StrategyEntry(
                f,
                new StrategySource(StrategySource.Script, script.Path, script.Version, script.Version)
            ))
        );
        var journal = new ListJournal();
        var referee = new Referee(_space, new FormulaEstimator(), catalog, journal);
        const int budget = 30,
            heats = 2;
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse(contestant)],
                Budget = budget,
                Heats = heats,
                Seed = 11,
                Estimator = "formula",
            }
        );

        journal.Events.OfType<ContestantFailed>().Should().BeEmpty();
        summary.Contestants.Single().Evaluations.Should().Be(budget * heats);
        summary.Contestants.Single().Failures.Should().Be(0);
        for (int heat = 0; heat < heats; heat++)
        {
            var trials = journal
                .Events.OfType<TrialFinished>()
                .Where(t => t.Heat == heat)
                .Select(t => t.Trial)
                .ToArray();
            trials.Should().HaveCount(budget);
            trials.Should().OnlyContain(t => _space.Contains(t.Architecture));
            double first = trials[0].Metrics.ValidationAccuracy!.Value;
            trials
                .Max(t => t.Metrics.ValidationAccuracy!.Value)
                .Should()
                .BeGreaterThan(first, $"heat {heat} started at {first}");
        }
    }

    [Theory]
    [InlineData("greedy-local-search.csx", "")]
    [InlineData("edge-bandit.csx", "")]
    [InlineData("edge-bandit.csx", "exploration=2")]
    [InlineData("crossover-evolution.csx", "")]
    [InlineData("crossover-evolution.csx", "population=4,tournament=2,mutation=0.2")]
    public async Task An_instance_rebuilt_by_replaying_tell_asks_the_same_next_architecture(
        string file,
        string knobText
    )
    {
        using var script = ScriptTestKit.CompileExample(file);
        var factory = script.Strategies.Single();
        var knobs = KnobValues.Create(
            factory.Name,
            factory.Knobs,
            ContestantSpec.Parse(knobText.Length == 0 ? factory.Name : $"{factory.Name}:{knobText}").Knobs
        );
        var estimator = new FormulaEstimator();
        var original = factory.Create(knobs);
        var history = new List<Trial>();
        SearchContext Context(int index) =>
            new()
            {
                Space = _space,
                Random = new Random(1_000 + index),
                AskIndex = index,
                EvaluationBudget = 40,
                EvaluationsUsed = index,
            };

        for (int index = 0; index < 40; index++)
        {
            var rebuilt = factory.Create(knobs);
            foreach (var told in history)
                rebuilt.Tell(told);
            var asked = original.Ask(Context(index));
            rebuilt.Ask(Context(index)).Should().Be(asked, $"ask {index} after replaying {history.Count} trials");

            var result = await estimator.EvaluateAsync(
                asked,
                new EvaluationRequest { Seed = index, DataSeed = 0 },
                CancellationToken.None
            );
            // Now and then a failed trial, which strategies must survive and replay too.
            var trial = new Trial
            {
                Index = index,
                Architecture = asked,
                Status = index % 7 == 3 ? TrialStatus.Failed : result.Status,
                Metrics = index % 7 == 3 ? new Metrics() : result.Metrics,
                CostSeconds = result.CostSeconds,
            };
            history.Add(trial);
            original.Tell(trial);
        }
    }
}
