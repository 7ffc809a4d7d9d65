using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

public class RefereeTests
{
    private readonly Nb201Space _space = new();

    private static RaceSettings Settings(int budget, params string[] contestants) =>
        new()
        {
            Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
            Budget = budget,
            Estimator = "formula",
        };

    private (Referee, ListJournal, FormulaEstimator) Referee(params TestStrategyFactory[] factories)
    {
        var journal = new ListJournal();
        var estimator = new FormulaEstimator();
        return (
            new Referee(_space, estimator, new StrategyCatalog(factories.Select(f => f.Entry())), journal),
            journal,
            estimator
        );
    }

    private static TestStrategyFactory Random(string name = "rand") =>
        new(name, () => new DelegateStrategy(c => c.Space.Sample(c.Random)));

    [Fact]
    public async Task Contestants_take_turns_one_trial_at_a_time_and_each_spends_its_budget()
    {
        var (referee, journal, _) = Referee(Random("a"), Random("b"));
        await referee.RunAsync(Settings(4, "a", "b"));
        journal
            .Events.OfType<TrialFinished>()
            .Select(t => t.Contestant)
            .Should()
            .Equal("a", "b", "a", "b", "a", "b", "a", "b");
        journal.Events.OfType<TrialFinished>().Select(t => t.Trial.Index).Should().Equal(0, 0, 1, 1, 2, 2, 3, 3);
    }

    [Fact]
    public async Task A_repeated_architecture_is_served_from_the_contestants_cache_counts_against_its_budget_and_cannot_loop_forever()
    {
        var fixedArchitecture = _space.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var stubborn = new TestStrategyFactory("stubborn", () => new DelegateStrategy(_ => fixedArchitecture));
        var (referee, journal, estimator) = Referee(stubborn);
        var summary = await referee.RunAsync(Settings(5, "stubborn"));
        estimator.Evaluations.Should().Be(1);
        var trials = journal.Events.OfType<TrialFinished>().Select(t => t.Trial).ToArray();
        trials.Should().HaveCount(5);
        trials.Skip(1).Should().OnlyContain(t => t.FromCache && t.CostSeconds == 0);
        summary.Contestants.Single().Evaluations.Should().Be(5);
        summary.Contestants.Single().Seconds.Should().Be(1.5);
    }

    [Fact]
    public async Task Under_a_seconds_budget_a_contestant_that_only_repeats_itself_sits_out_and_the_race_ends()
    {
        // Repeats are free, so without a guard this contestant would never spend its 10 seconds.
        var fixedArchitecture = _space.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var (referee, journal, _) = Referee(
            new TestStrategyFactory("stuck", () => new DelegateStrategy(_ => fixedArchitecture)),
            Random()
        );
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("stuck"), ContestantSpec.Parse("rand")],
            BudgetSeconds = 10,
            Estimator = "formula",
        };
        var summary = await referee.RunAsync(settings).WaitAsync(TimeSpan.FromMinutes(1));
        var stuck = summary.Contestants.Single(c => c.Label == "stuck");
        stuck.Evaluations.Should().Be(1 + Nas.Sandbox.Core.Racing.Referee.MaxFreeStepsInARow);
        summary
            .Contestants.Single(c => c.Label == "rand")
            .Seconds.Should()
            .BeGreaterThanOrEqualTo(10, "everyone else races on");
        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .ContainSingle(f => f.Contestant == "stuck" && f.Phase == "repeats")
            .Which.Message.Should()
            .Contain("1000 times in a row");
    }

    [Fact]
    public async Task Under_a_seconds_budget_contestants_whose_asks_spend_nothing_sit_out_and_the_race_ends()
    {
        // A failed ask costs no seconds, so without the guard none of the first three would ever spend its 10 seconds.
        var fixedArchitecture = _space.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var (referee, journal, _) = Referee(
            new TestStrategyFactory("thrower", () =>
                new DelegateStrategy(_ => throw new InvalidOperationException("boom"))
            ),
            new TestStrategyFactory("null", () => new DelegateStrategy(_ => null!)),
            // After one paid evaluation, a repeat of it and a throw by turns: a streak of both kinds.
            new TestStrategyFactory("mixed", () =>
                new DelegateStrategy(c =>
                    c.AskIndex % 2 == 0 ? fixedArchitecture : throw new InvalidOperationException("odd")
                )
            ),
            Random()
        );
        var settings = new RaceSettings
        {
            Contestants =
            [
                ContestantSpec.Parse("thrower"),
                ContestantSpec.Parse("null"),
                ContestantSpec.Parse("mixed"),
                ContestantSpec.Parse("rand"),
            ],
            BudgetSeconds = 10,
            Estimator = "formula",
        };
        var summary = await referee.RunAsync(settings).WaitAsync(TimeSpan.FromMinutes(1));

        int max = Nas.Sandbox.Core.Racing.Referee.MaxFreeStepsInARow;
        var sitOuts = journal.Events.OfType<ContestantFailed>().Where(f => f.Phase != "ask").ToArray();
        foreach (string label in new[] { "thrower", "null" })
        {
            summary
                .Contestants.Single(c => c.Label == label)
                .Should()
                .Match<ContestantSummary>(c => c.Evaluations == max && c.Failures == max);
            sitOuts
                .Should()
                .ContainSingle(f => f.Contestant == label)
                .Which.Should()
                .Match<ContestantFailed>(f =>
                    f.Phase == "faults"
                    && f.Index == max - 1
                    && f.Message.Contains($"{max} asks in a row ({max} failed, 0 repeats)")
                );
        }
        summary.Contestants.Single(c => c.Label == "mixed").Evaluations.Should().Be(1 + max);
        sitOuts
            .Should()
            .ContainSingle(f => f.Contestant == "mixed")
            .Which.Message.Should()
            .Contain($"({max / 2} failed, {max / 2} repeats)");
        sitOuts.Should().NotContain(f => f.Contestant == "rand");
        summary
            .Contestants.Single(c => c.Label == "rand")
            .Seconds.Should()
            .BeGreaterThanOrEqualTo(10, "everyone else races on");
    }

    [Fact]
    public async Task With_an_evaluation_budget_failed_asks_use_it_up_and_nobody_sits_out()
    {
        var (referee, journal, _) = Referee(
            new TestStrategyFactory("thrower", () =>
                new DelegateStrategy(_ => throw new InvalidOperationException("boom"))
            )
        );
        var summary = await referee.RunAsync(Settings(1500, "thrower"));
        summary.Contestants.Single().Failures.Should().Be(1500);
        journal.Events.OfType<ContestantFailed>().Should().OnlyContain(f => f.Phase == "ask");
    }

    [Fact]
    public async Task A_contestant_whose_asks_keep_overrunning_the_call_timeout_sits_out_after_a_few()
    {
        // The sleeper overruns whatever the timeout (it waits for the test to end); the timeout is long enough that the
        // well-behaved contestant's calls never overrun it, however loaded the machine.
        using var release = new ManualResetEventSlim(); // lets the abandoned calls end with the test
        var (referee, journal, _) = Referee(new TestStrategyFactory("sleeper", () => new DelegateStrategy(c =>
                {
                    release.Wait();
                    return c.Space.Sample(c.Random);
                })), Random());
        try
        {
            var summary = await referee
                .RunAsync(Settings(20, "sleeper", "rand") with { CallTimeout = TimeSpan.FromSeconds(1) })
                .WaitAsync(TimeSpan.FromMinutes(1));
            int max = Nas.Sandbox.Core.Racing.Referee.MaxTimeoutsInARow;
            var faults = journal.Events.OfType<ContestantFailed>().Where(f => f.Contestant == "sleeper").ToArray();
            faults.Select(f => f.Phase).Should().Equal([.. Enumerable.Repeat("ask", max), "timeouts"]);
            faults[..max].Should().OnlyContain(f => f.Message.Contains("did not return within 1 s"));
            faults[max].Message.Should().Contain($"overran the call timeout (1 s) in {max} asks in a row");
            summary.Contestants.Single(c => c.Label == "sleeper").Evaluations.Should().Be(max);
            summary.Contestants.Single(c => c.Label == "rand").Evaluations.Should().Be(20);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task A_resumed_race_replays_a_sit_out_and_does_not_run_the_culprit_again()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("nas-referee-resume-").FullName, "race.jsonl");
        int asks = 0;
        var catalog = new StrategyCatalog([new TestStrategyFactory("thrower", () => new DelegateStrategy(_ =>
                {
                    asks++;
                    throw new InvalidOperationException("boom");
                })).Entry(), Random().Entry()]);
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("thrower"), ContestantSpec.Parse("rand")],
            BudgetSeconds = 10,
            Estimator = "formula",
            Seed = 3,
        };
        try
        {
            RaceSummary full;
            using (var journal = new JournalWriter(path))
                full = await new Referee(_space, new FormulaEstimator(), catalog, journal).RunAsync(settings);
            // Cut the journal right after the sit-out, as a crash there would.
            var lines = File.ReadAllLines(path);
            int sitOut = Array.FindIndex(lines, l => l.Contains("\"phase\":\"faults\""));
            sitOut.Should().BeGreaterThan(0);
            File.WriteAllLines(path, lines.Take(sitOut + 1));

            asks = 0;
            var resume = ResumePoint.Read(JournalReader.Read(path), path, _space);
            RaceSummary resumed;
            using (var journal = new JournalWriter(path))
                resumed = await new Referee(_space, new FormulaEstimator(), catalog, journal).RunAsync(
                    settings,
                    null,
                    resume
                );

            asks.Should().Be(0, "the contestant sat out; the resumed race does not ask it again");
            File.ReadLines(path).Count(l => l.Contains("\"phase\":\"faults\"")).Should().Be(1);
            resumed
                .Contestants.Select(c => (c.Label, c.Evaluations, c.Failures, c.Seconds))
                .Should()
                .Equal(full.Contestants.Select(c => (c.Label, c.Evaluations, c.Failures, c.Seconds)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Caches_are_per_contestant_so_nobody_gets_anothers_evaluations_for_free()
    {
        var fixedArchitecture = _space.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var (referee, journal, estimator) = Referee(
            new TestStrategyFactory("x", () => new DelegateStrategy(_ => fixedArchitecture)),
            new TestStrategyFactory("y", () => new DelegateStrategy(_ => fixedArchitecture))
        );
        await referee.RunAsync(Settings(2, "x", "y"));
        estimator.Evaluations.Should().Be(2);
        journal
            .Events.OfType<TrialFinished>()
            .Where(t => t.Trial.Index == 0)
            .Should()
            .OnlyContain(t => !t.Trial.FromCache);
    }

    [Fact]
    public async Task A_contestant_that_throws_or_leaves_the_space_is_journaled_and_the_race_goes_on()
    {
        var alien = new Architecture(
            "|alien~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            ["alien", "none", "none", "none", "none", "none"]
        );
        int asks = 0;
        var (referee, journal, _) = Referee(
            Random("good"),
            new TestStrategyFactory("thrower", () =>
                new DelegateStrategy(_ => throw new InvalidOperationException("boom"))
            ),
            new TestStrategyFactory("wanderer", () =>
                new DelegateStrategy(
                    c => ++asks % 2 == 0 ? alien : c.Space.Sample(c.Random),
                    tell: _ => throw new ArgumentException("tell broke")
                )
            ),
            new TestStrategyFactory("stillborn", () => throw new NotSupportedException("no constructor today"))
        );
        var summary = await referee.RunAsync(Settings(4, "good", "thrower", "wanderer", "stillborn"));

        var faults = journal.Events.OfType<ContestantFailed>().ToArray();
        faults
            .Where(f => f.Contestant == "thrower")
            .Should()
            .HaveCount(4)
            .And.OnlyContain(f => f.Phase == "ask" && f.Message.Contains("boom"));
        faults
            .Where(f => f.Contestant == "wanderer" && f.Phase == "ask")
            .Should()
            .HaveCount(2)
            .And.OnlyContain(f => f.Message.Contains("not in space"));
        faults.Where(f => f.Contestant == "wanderer" && f.Phase == "tell").Should().HaveCount(2);
        faults.Where(f => f.Contestant == "stillborn").Should().ContainSingle().Which.Phase.Should().Be("create");
        summary.Contestants.Single(c => c.Label == "good").Evaluations.Should().Be(4);
        summary.Contestants.Single(c => c.Label == "thrower").Failures.Should().Be(4);
        summary.Contestants[0].Label.Should().BeOneOf("good", "wanderer");
    }

    [Fact]
    public async Task An_unknown_knob_is_refused_before_anything_runs_and_names_the_known_ones()
    {
        var factory = new TestStrategyFactory(
            "knobby",
            () => new DelegateStrategy(c => c.Space.Sample(c.Random)),
            [new Knob("population", "10", "")]
        );
        var (referee, journal, _) = Referee(factory);
        var act = () => referee.RunAsync(Settings(2, "knobby:populaton=5"));
        (await act.Should().ThrowAsync<KnobException>())
            .Which.Message.Should()
            .Contain("populaton")
            .And.Contain("known knobs: population");
        journal.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_strategy_names_the_available_ones()
    {
        var (referee, _, _) = Referee(Random("rand"));
        var act = () => referee.RunAsync(Settings(2, "evolution"));
        (await act.Should().ThrowAsync<NasException>())
            .Which.Message.Should()
            .Contain("Unknown strategy 'evolution'")
            .And.Contain("rand");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_race()
    {
        async Task<string[]> Keys(long seed)
        {
            var (referee, journal, _) = Referee(Random("a"), Random("b"));
            await referee.RunAsync(Settings(6, "a", "b") with { Seed = seed, Heats = 2 });
            return journal
                .Events.OfType<TrialFinished>()
                .Select(t => $"{t.Heat}/{t.Contestant}/{t.Trial.Architecture.Key}")
                .ToArray();
        }
        (await Keys(7)).Should().Equal(await Keys(7));
        (await Keys(7)).Should().NotEqual(await Keys(8));
    }

    [Fact]
    public async Task Two_settings_of_one_strategy_race_under_their_own_labels()
    {
        var factory = new TestStrategyFactory(
            "s",
            () => new DelegateStrategy(c => c.Space.Sample(c.Random)),
            [new Knob("k", "1", "")]
        );
        var (referee, _, _) = Referee(factory);
        var summary = await referee.RunAsync(Settings(2, "s:k=1", "s:k=2", "s:k=2"));
        summary.Contestants.Select(c => c.Label).Should().BeEquivalentTo("s:k=1", "s:k=2", "s:k=2#2");
    }

    [Theory]
    [InlineData("regularized-evolution", "regularized-evolution", 0)]
    [InlineData("regularized-evolution:population=10,sample=3", "regularized-evolution", 2)]
    [InlineData(" random-search : distinct = false ", "random-search", 1)]
    public void Contestant_specs_parse(string text, string strategy, int knobCount)
    {
        var spec = ContestantSpec.Parse(text);
        spec.Strategy.Should().Be(strategy);
        spec.Knobs.Should().HaveCount(knobCount);
    }

    [Theory]
    [InlineData(":a=1", "name before ':' is missing")]
    [InlineData("x:a", "'a' is not knob=value")]
    [InlineData("x:a=1,a=2", "knob 'a' is given twice")]
    public void Bad_contestant_specs_say_what_is_wrong(string text, string reason)
    {
        var act = () => ContestantSpec.Parse(text);
        act.Should().Throw<NasException>().WithMessage($"*{reason}*");
    }
}
