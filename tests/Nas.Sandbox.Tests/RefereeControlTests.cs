using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>What a user steering a race (the TUI) relies on: pause, step, add, remove and restart, between trials.</summary>
public class RefereeControlTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly Nb201Space _space = new();
    private readonly ListJournal _journal = new();

    private static RaceSettings Settings(int budget, int heats, params string[] contestants) =>
        new()
        {
            Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
            Budget = budget,
            Heats = heats,
            Estimator = "formula",
        };

    private static TestStrategyFactory Random(string name) =>
        new(name, () => new DelegateStrategy(c => c.Space.Sample(c.Random)));

    private Referee Referee() =>
        new(
            _space,
            new FormulaEstimator(),
            new StrategyCatalog([Random("a").Entry(), Random("b").Entry(), Random("late").Entry()]),
            _journal
        );

    private T[] Events<T>()
    {
        lock (_journal.Events)
            return _journal.Events.OfType<T>().ToArray();
    }

    [Fact]
    public async Task A_paused_race_runs_no_trial_step_runs_exactly_one_and_resume_finishes_it()
    {
        var control = new RaceControl(startPaused: true);
        var race = Task.Run(() => Referee().RunAsync(Settings(5, 1, "a", "b"), control));
        await control.WhenHeld().WaitAsync(Patience);
        Events<TrialFinished>().Should().BeEmpty();
        Events<HeatStarted>().Should().ContainSingle("the race started and stopped before its first trial");

        control.Step();
        await control.WhenHeld().WaitAsync(Patience);
        Events<TrialFinished>().Select(t => t.Contestant).Should().Equal("a");
        control.Step();
        await control.WhenHeld().WaitAsync(Patience);
        Events<TrialFinished>().Select(t => t.Contestant).Should().Equal("a", "b");
        race.IsCompleted.Should().BeFalse();

        control.Resume();
        var summary = await race.WaitAsync(Patience);
        summary.Contestants.Should().OnlyContain(c => c.Evaluations == 5);
        Events<TrialFinished>().Should().HaveCount(10);
    }

    [Fact]
    public async Task Pausing_a_running_race_holds_it_after_the_trial_in_progress()
    {
        var control = new RaceControl();
        var referee = Referee();
        var firstTrial = new TaskCompletionSource();
        referee.EventRaised += e =>
        {
            if (e is TrialFinished && firstTrial.TrySetResult())
                control.Pause();
        };
        var race = Task.Run(() => referee.RunAsync(Settings(50, 1, "a", "b"), control));
        await firstTrial.Task.WaitAsync(Patience);
        await control.WhenHeld().WaitAsync(Patience);
        int held = Events<TrialFinished>().Length;
        held.Should().BeLessThan(100);
        control.IsPaused.Should().BeTrue();
        control.IsHeld.Should().BeTrue();
        control.Resume();
        await race.WaitAsync(Patience);
        Events<TrialFinished>().Should().HaveCount(100);
    }

    [Fact]
    public async Task A_contestant_added_mid_heat_gets_a_full_budget_there_and_races_the_later_heats()
    {
        var control = new RaceControl(startPaused: true);
        var race = Task.Run(() => Referee().RunAsync(Settings(4, 2, "a", "b"), control));
        await control.WhenHeld().WaitAsync(Patience);
        control.Step();
        control.Step();
        control.Step();
        await control.WhenHeld().WaitAsync(Patience);
        control.Add(ContestantSpec.Parse("late"));
        await control.WhenHeld().WaitAsync(Patience);
        Events<ContestantAdded>()
            .Should()
            .ContainSingle()
            .Which.Should()
            .Match<ContestantAdded>(e => e.Contestant.Label == "late" && e.Heat == 0);
        control.Resume();
        var summary = await race.WaitAsync(Patience);

        Events<HeatFinished>()
            .Should()
            .HaveCount(2)
            .And.OnlyContain(h => h.Standings.Count == 3 && h.Standings.All(s => s.Evaluations == 4));
        summary.Contestants.Select(c => c.Label).Should().BeEquivalentTo(["a", "b", "late"]);
        var added = Events<ContestantAdded>().Single();
        JournalFormat.ToJson(added)["type"]!.ToString().Should().Be("contestant-added");
        JournalFormat.ToJson(added)["contestant"]!["strategy"]!.ToString().Should().Be("late");
    }

    [Fact]
    public async Task Unknown_strategies_and_contestants_are_refused_and_the_race_goes_on()
    {
        var control = new RaceControl(startPaused: true);
        var race = Task.Run(() => Referee().RunAsync(Settings(2, 1, "a"), control));
        await control.WhenHeld().WaitAsync(Patience);
        control.Add(ContestantSpec.Parse("no-such-strategy"));
        control.Add(ContestantSpec.Parse("late:unknown=1"));
        control.Remove("nobody");
        control.Remove("a");
        await control.WhenHeld().WaitAsync(Patience);
        var rejected = Events<CommandRejected>();
        rejected
            .Select(r => r.Command)
            .Should()
            .Equal("add no-such-strategy", "add late:unknown=1", "remove nobody", "remove a");
        rejected[0].Message.Should().Contain("no-such-strategy");
        rejected[1].Message.Should().Contain("unknown");
        rejected[3].Message.Should().Contain("at least one contestant");
        control.Resume();
        (await race.WaitAsync(Patience)).Contestants.Should().ContainSingle(c => c.Label == "a" && c.Evaluations == 2);
    }

    [Fact]
    public async Task A_removed_contestant_stops_at_once_leaves_the_standings_and_a_new_one_never_takes_its_label()
    {
        var control = new RaceControl(startPaused: true);
        var race = Task.Run(() => Referee().RunAsync(Settings(3, 2, "a", "b"), control));
        await control.WhenHeld().WaitAsync(Patience);
        control.Step();
        control.Step();
        await control.WhenHeld().WaitAsync(Patience);
        control.Remove("b");
        control.Add(ContestantSpec.Parse("b"));
        control.Resume();
        var summary = await race.WaitAsync(Patience);

        Events<ContestantRemoved>().Should().ContainSingle(e => e.Contestant == "b");
        Events<ContestantAdded>().Single().Contestant.Label.Should().Be("b#2");
        Events<TrialFinished>().Count(t => t.Contestant == "b").Should().Be(1, "b ran one trial before it was removed");
        summary.Contestants.Select(c => c.Label).Should().BeEquivalentTo(["a", "b#2"]);
        Events<HeatFinished>().Should().OnlyContain(h => h.Standings.All(s => s.Contestant != "b"));
    }

    [Fact]
    public async Task Restarting_a_heat_discards_its_trials_and_runs_it_again_from_scratch_with_the_same_seed()
    {
        var control = new RaceControl(startPaused: true);
        var race = Task.Run(() => Referee().RunAsync(Settings(3, 1, "a", "b"), control));
        await control.WhenHeld().WaitAsync(Patience);
        control.Step();
        control.Step();
        control.Step();
        await control.WhenHeld().WaitAsync(Patience);
        var before = Events<TrialFinished>().Select(t => (t.Contestant, t.Trial.Architecture.Key)).ToArray();
        control.RestartHeat();
        control.Resume();
        await race.WaitAsync(Patience);

        Events<HeatRestarted>().Should().ContainSingle(e => e.Heat == 0);
        Events<HeatStarted>().Should().ContainSingle();
        var standings = Events<HeatFinished>().Single().Standings;
        standings.Should().OnlyContain(s => s.Evaluations == 3, "the restarted heat's trials do not count");
        var after = Events<TrialFinished>()
            .Skip(before.Length)
            .Select(t => (t.Contestant, t.Trial.Architecture.Key))
            .ToArray();
        after.Should().HaveCount(6);
        after.Take(before.Length).Should().Equal(before, "a restarted heat is the same heat: same seeds, same asks");
    }
}

/// <summary>A contestant whose code never returns costs only that call: the race goes on without it.</summary>
public class RefereeWatchdogTests
{
    [Fact]
    public async Task A_hung_ask_is_failed_after_the_time_limit_the_contestant_is_rebuilt_and_everyone_finishes()
    {
        using var release = new ManualResetEventSlim(false);
        int asks = 0;
        var hangsOnce = new TestStrategyFactory("hangs-once", () => new DelegateStrategy(c =>
            {
                if (Interlocked.Increment(ref asks) == 2)
                    release.Wait(); // the second ask never returns (until the test ends), whatever the timeout
                return c.Space.Sample(c.Random);
            }));
        var steady = new TestStrategyFactory("steady", () => new DelegateStrategy(c => c.Space.Sample(c.Random)));
        var journal = new ListJournal();
        var referee = new Referee(
            new Nas.Sandbox.Core.Spaces.Nb201Space(),
            new FormulaEstimator(),
            new StrategyCatalog([hangsOnce.Entry(), steady.Entry()]),
            journal
        );
        try
        {
            var summary = await referee
                .RunAsync(
                    new RaceSettings
                    {
                        Contestants = [ContestantSpec.Parse("hangs-once"), ContestantSpec.Parse("steady")],
                        Budget = 4,
                        CallTimeout = TimeSpan.FromSeconds(1),
                        Estimator = "formula",
                    }
                )
                .WaitAsync(TimeSpan.FromSeconds(20));
            summary.Contestants.Should().OnlyContain(c => c.Evaluations == 4);
            journal
                .Events.OfType<ContestantFailed>()
                .Should()
                .ContainSingle()
                .Which.Should()
                .Match<ContestantFailed>(f =>
                    f.Contestant == "hangs-once"
                    && f.Phase == "ask"
                    && f.Message.StartsWith("did not return within 1 s")
                );
            journal
                .Events.OfType<ContestantSwapped>()
                .Should()
                .ContainSingle(s => s.Reason == "rebuilt after a timeout");
            journal.Events.OfType<TrialFinished>().Count(t => t.Contestant == "steady").Should().Be(4);
        }
        finally
        {
            release.Set();
        }
    }
}
