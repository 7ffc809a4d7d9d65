using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>The referee applies the race's objective: every ok trial's Objective (and Objectives) before Tell, and the ranking.</summary>
public sealed class RefereeObjectiveTests
{
    /// <summary>Accuracy grows with 3x3 convolutions, and so do parameters (100,000 per convolution plus 50,000).</summary>
    private sealed class SizedEstimator : IEstimator
    {
        public string Name => "sized";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        )
        {
            int convs = architecture.Choices.Count(c => c == "nor_conv_3x3");
            return Task.FromResult(
                new EvaluationResult
                {
                    Status = TrialStatus.Ok,
                    CostSeconds = 1,
                    Fidelity = request.Fidelity,
                    Metrics = new Metrics
                    {
                        ValidationAccuracy = 0.1 + 0.8 * convs / 6.0 + (architecture.Key.Length % 5) / 1000.0,
                        Parameters = 50_000 + 100_000 * convs,
                    },
                }
            );
        }
    }

    private static (Referee Referee, List<DelegateStrategy> Instances, List<SearchContext> Contexts) Setup(
        ListJournal journal
    )
    {
        var instances = new List<DelegateStrategy>();
        var contexts = new List<SearchContext>();
        var catalog = new StrategyCatalog([new TestStrategyFactory("sampler", () =>
            {
                var s = new DelegateStrategy(c =>
                {
                    lock (contexts)
                        contexts.Add(c);
                    return c.Space.Sample(c.Random);
                });
                instances.Add(s);
                return s;
            }).Entry(), new TestStrategyFactory("all-none", () => new DelegateStrategy(c => c.Space.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"))).Entry()]);
        return (new Referee(new Nb201Space(), new SizedEstimator(), catalog, journal), instances, contexts);
    }

    [Fact]
    public async Task A_scalarised_race_tells_every_ok_trial_its_objective_exactly_and_ranks_by_the_best_objective()
    {
        var journal = new ListJournal();
        var (referee, instances, contexts) = Setup(journal);
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("sampler"), ContestantSpec.Parse("all-none")],
                Budget = 12,
                Heats = 2,
                Seed = 4,
                Objective = RaceObjective.Parse("accuracy-0.5*params"),
            }
        );
        contexts.Should().OnlyContain(c => c.Objective.Text == "accuracy-0.5*params" && !c.Objective.IsPareto);
        var told = instances.SelectMany(i => i.Told).ToArray();
        told.Should().HaveCount(24);
        foreach (var t in told)
        {
            t.Objective.Should().Be(t.Metrics.ValidationAccuracy!.Value - 0.5 * (t.Metrics.Parameters!.Value / 1e6));
            t.Objectives.Should().BeNull();
        }
        var sampler = summary.Contestants.Single(c => c.Label == "sampler");
        // One sampler instance per heat: the mean over heats of each heat's best objective.
        sampler
            .BestObjective.Should()
            .BeApproximately(instances.Average(i => i.Told.Max(t => t.Objective!.Value)), 1e-12);
        // The all-none cell scores 0.1 + x - 0.025: the sampler finds a better objective, so it ranks first.
        summary.Contestants.Select(c => c.Label).Should().Equal("sampler", "all-none");
        summary.Reference.Should().BeNull();
    }

    [Fact]
    public async Task A_pareto_race_tells_the_objective_vector_and_ranks_by_hypervolume_against_the_worst_seen()
    {
        var journal = new ListJournal();
        var (referee, instances, _) = Setup(journal);
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("sampler"), ContestantSpec.Parse("all-none")],
                Budget = 20,
                Heats = 3,
                Seed = 9,
                Objective = RaceObjective.Parse("pareto:accuracy,params"),
            }
        );
        var told = instances.SelectMany(i => i.Told).ToArray();
        foreach (var t in told)
        {
            t.Objectives.Should().Equal(t.Metrics.ValidationAccuracy!.Value, -(t.Metrics.Parameters!.Value / 1e6));
            t.Objective.Should().Be(t.Metrics.ValidationAccuracy!.Value);
        }
        var trials = journal.Events.OfType<TrialFinished>().Select(e => e.Trial).ToArray();
        double worst = trials.Max(t => t.Metrics.Parameters!.Value) / 1e6;
        summary.Reference!.Raw.Should().Equal(0, worst);
        summary.Reference.Source.Should().Be("worst seen in the race");

        // Each heat's hypervolume by hand: normalise (accuracy, 1 - params/worst) and sweep the 2-D staircase.
        var volumes = journal
            .Events.OfType<TrialFinished>()
            .Where(e => e.Contestant == "sampler")
            .GroupBy(e => e.Heat)
            .Select(heat =>
            {
                var points = heat.Select(e =>
                        (
                            X: e.Trial.Metrics.ValidationAccuracy!.Value,
                            Y: 1 - e.Trial.Metrics.Parameters!.Value / 1e6 / worst
                        )
                    )
                    .OrderByDescending(p => p.X)
                    .ToArray();
                double area = 0,
                    top = 0;
                foreach (var p in points)
                    if (p.Y > top)
                    {
                        area += p.X * (p.Y - top);
                        top = p.Y;
                    }
                return area;
            })
            .ToArray();
        var sampler = summary.Contestants.Single(c => c.Label == "sampler");
        sampler.Hypervolume.Should().BeApproximately(volumes.Average(), 1e-12);
        sampler.Hypervolume.Should().BeGreaterThan(0).And.BeLessThan(1);
        // The all-none cell has the fewest parameters but a low accuracy: a thin box, far below the sampler's front.
        summary.Contestants.Select(c => c.Label).Should().Equal("sampler", "all-none");
        summary.Contestants[1].Hypervolume.Should().BeLessThan(sampler.Hypervolume!.Value);
        summary.Heats.Should().HaveCount(3);
        // Heat 0's front by hand: the sampler's cells (first visit) that no other of its trials dominates.
        var visited = journal
            .Events.OfType<TrialFinished>()
            .Where(e => e.Contestant == "sampler" && e.Heat == 0)
            .Select(e => e.Trial)
            .DistinctBy(t => t.Architecture)
            .ToArray();
        bool Dominated(Trial t) =>
            visited.Any(o =>
                o.Objectives![0] >= t.Objectives![0]
                && o.Objectives[1] >= t.Objectives[1]
                && (o.Objectives[0] > t.Objectives[0] || o.Objectives[1] > t.Objectives[1])
            );
        var front = visited.Where(t => !Dominated(t)).ToArray();
        front.Should().NotBeEmpty();
        summary
            .Heats[0]
            .Single(s => s.Contestant == "sampler")
            .Front!.Select(p => (p.Index, p.Architecture, p.Objectives[0], p.Objectives[1]))
            .Should()
            .Equal(front.Select(t => (t.Index, t.Architecture.Key, t.Objectives![0], t.Objectives[1])));
    }

    [Fact]
    public async Task The_live_standings_score_by_hypervolume_in_a_pareto_race_and_by_objective_in_a_scalarised_one()
    {
        foreach (
            var (text, title) in new[]
            {
                ("pareto:accuracy,params", "hv"),
                ("accuracy-0.5*params", "obj"),
                ("accuracy", "best"),
            }
        )
        {
            var (referee, _, _) = Setup(new ListJournal());
            var tracker = new Nas.Sandbox.Core.Racing.Tracking.RaceTracker();
            referee.EventRaised += tracker.OnEvent;
            var summary = await referee.RunAsync(
                new RaceSettings
                {
                    Contestants = [ContestantSpec.Parse("sampler"), ContestantSpec.Parse("all-none")],
                    Budget = 15,
                    Heats = 2,
                    Seed = 6,
                    Objective = RaceObjective.Parse(text),
                }
            );
            var snapshot = tracker.Snapshot();
            snapshot.ScoreTitle.Should().Be(title);
            snapshot.Contestants.Select(c => c.Label).Should().Equal(summary.Contestants.Select(c => c.Label), text);
            foreach (var c in snapshot.Contestants)
            {
                var final = summary.Contestants.Single(r => r.Label == c.Label);
                // Both heats are finished: the live mean is the summary's rank key.
                c.MeanBest.Should()
                    .BeApproximately(
                        title == "hv" ? final.Hypervolume!.Value : final.BestObjective!.Value,
                        1e-12,
                        text
                    );
            }
        }
    }

    [Fact]
    public async Task The_known_worst_and_given_reference_values_are_used_and_stated()
    {
        var (referee, _, _) = Setup(new ListJournal());
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("sampler")],
                Budget = 5,
                Seed = 1,
                Objective = RaceObjective.Parse("pareto:accuracy,params"),
                KnownWorstCosts = new Dictionary<string, double> { ["params"] = 0.65 },
                KnownWorstSource = "worst in table t.csv",
                Reference = new Dictionary<string, double> { ["accuracy"] = 0.2 },
            }
        );
        summary.Reference!.Raw.Should().Equal(0.2, 0.65);
        summary.Reference.Source.Should().Be("--reference, other costs worst in table t.csv");
    }

    [Fact]
    public async Task An_ok_trial_missing_a_metric_the_objective_needs_fails_and_says_which()
    {
        var journal = new ListJournal();
        var (referee, instances, _) = Setup(journal);
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("sampler")],
                Budget = 3,
                Seed = 2,
                Objective = RaceObjective.Parse("pareto:accuracy,latency1"),
            }
        );
        instances
            .Single()
            .Told.Should()
            .HaveCount(3)
            .And.OnlyContain(t => t.Status == TrialStatus.Failed && t.Objective == null && t.Objectives == null);
        instances.Single().Told[0].Message.Should().Contain("latency1").And.Contain("'sized'");
        summary.Contestants.Single().Failures.Should().Be(3);
    }
}
