using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;
using Nas.Sandbox.Core.Spaces;
using Terminal.Gui.Input;

// Blocking waits on purpose (see the class comment): xUnit's advice to await does not hold under Terminal.Gui's context.
#pragma warning disable xUnit1031

namespace Nas.Sandbox.Tui.Tests;

/// <summary>
/// The screen steering a real referee, as in <c>nas tui</c>: keys become commands, the race runs on its own task,
/// and the screen shows what the tracker saw. Evaluations wait at a gate the test opens, so the number of trials
/// that can have run is known at every step.
/// <para>The tests block instead of awaiting: Terminal.Gui installs its own synchronization context on the test
/// thread, and without a running main loop an await's continuation posted to it would never run.</para>
/// </summary>
public sealed class LiveRaceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly RaceControl _control;
    private readonly RaceTracker _tracker;
    private readonly GatedEstimator _estimator;
    private readonly StrategyCatalog _strategies = new([
        new SamplingStrategy("alpha").Entry(),
        new SamplingStrategy("beta").Entry(),
        new SamplingStrategy("late").Entry(),
    ]);
    private readonly TournamentController _controller;
    private readonly ScreenHarness _screen;
    private readonly Referee _referee;

    public LiveRaceTests()
    {
        _control = new RaceControl();
        _tracker = new RaceTracker(_control);
        _estimator = new GatedEstimator();
        _referee = new Referee(new Nb201Space(), _estimator, _strategies, new NoJournal());
        _referee.EventRaised += _tracker.OnEvent;
        _controller = new TournamentController(_control, _tracker, Admit, () => "saved", () => { });
        _screen = new ScreenHarness(_controller);
    }

    public void Dispose()
    {
        _estimator.Open();
        _screen.Dispose();
        _estimator.Dispose();
    }

    private ContestantSpec Admit(string text)
    {
        var spec = ContestantSpec.Parse(text);
        _strategies.Get(spec.Strategy);
        return spec;
    }

    private Task<RaceSummary> Start(int budget) =>
        Task.Run(() =>
            _referee.RunAsync(
                new RaceSettings
                {
                    Contestants = [ContestantSpec.Parse("alpha"), ContestantSpec.Parse("beta")],
                    Budget = budget,
                    Estimator = "gated",
                },
                _control
            )
        );

    private string Screen()
    {
        _screen.Render(_tracker.Snapshot());
        return _screen.Text();
    }

    private static void Wait(Task task) => task.Wait(Patience).Should().BeTrue("the race should get there in time");

    [Fact]
    public void Pause_stops_new_trials_step_runs_one_and_resume_finishes_the_race()
    {
        var race = Start(budget: 6);
        _estimator.Allow(1);
        Wait(_estimator.WhenStarted(2)); // the first trial is done; the second is being evaluated
        _screen.Press(Key.Space); // pause while a trial is in progress
        Screen().Should().Contain("pausing after this trial");
        _estimator.Allow(1);
        Wait(_control.WhenHeld());
        _estimator.Started.Should().Be(2, "no new evaluation starts while paused");
        Screen().Should().Contain(" paused │").And.Contain("2/12");

        _screen.Press(Key.N); // step: exactly one more trial
        _estimator.Allow(1);
        Wait(_control.WhenHeld());
        _estimator.Started.Should().Be(3);
        _tracker.Snapshot().EvaluationsDone.Should().Be(3);

        _screen.Press(Key.Space); // resume
        _estimator.Open();
        Wait(race);
        var summary = race.Result;
        summary.Contestants.Should().OnlyContain(c => c.Evaluations == 6);
        Screen().Should().Contain(" finished │").And.Contain("12/12");
    }

    [Fact]
    public void A_contestant_added_from_the_prompt_joins_the_current_heat_with_a_full_budget()
    {
        _control.Pause();
        var race = Start(budget: 3);
        Wait(_control.WhenHeld());
        _screen.Press(Key.N);
        _estimator.Allow(1);
        Wait(_control.WhenHeld());

        _screen.Press(Key.A);
        _screen.Type("late");
        _screen.Press(Key.Enter);
        Wait(_controller.LastAdd);
        Wait(_control.WhenHeld());
        var text = Screen();
        text.Should().Contain("late joined in heat 1");
        _screen.Lines().Should().Contain(l => l.Contains(" late ") && l.Contains("0/3"));

        _screen.Press(Key.A);
        _screen.Type("nonexistent");
        _screen.Press(Key.Enter);
        Wait(_controller.LastAdd);
        Screen().Should().Contain("add nonexistent: ");

        _screen.Press(Key.Space);
        _estimator.Open();
        Wait(race);
        var summary = race.Result;
        summary
            .Contestants.Select(c => (c.Label, c.Evaluations))
            .Should()
            .BeEquivalentTo([("alpha", 3), ("beta", 3), ("late", 3)]);
        Screen();
        _screen.Lines().Should().Contain(l => l.Contains(" late ") && l.Contains("3/3"));
    }
}
