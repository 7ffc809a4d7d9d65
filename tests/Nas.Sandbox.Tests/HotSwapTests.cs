using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Swapping a contestant's strategy mid-race, and surviving builds that do not work.</summary>
public class HotSwapTests
{
    private readonly Nb201Space _space = new();

    private static StrategyEntry Build(string name, string build, Func<IStrategy> create, string version = "1.0") =>
        new(new TestStrategyFactory(name, create), new StrategySource("test", "tests", version, build));

    private async Task<(RaceSummary, ListJournal)> Race(StrategyCatalog catalog, int budget, TimeSpan? timeout = null)
    {
        var journal = new ListJournal();
        var referee = new Referee(_space, new FormulaEstimator(), catalog, journal);
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("s")],
            Budget = budget,
            CallTimeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        return (await referee.RunAsync(settings), journal);
    }

    [Fact]
    public async Task A_new_build_mid_race_gets_the_whole_history_replayed_and_the_race_goes_on_with_budget_and_trials_intact()
    {
        var catalog = new StrategyCatalog();
        var second = new DelegateStrategy(c => c.Space.Sample(c.Random));
        var secondBuild = Build("s", "v2", () => second, version: "1.1");
        var first = new DelegateStrategy(
            c => c.Space.Sample(c.Random),
            tell: t =>
            {
                if (t.Index == 2)
                    catalog.ReplaceSource("tests", [secondBuild]);
            }
        );
        catalog.Add(Build("s", "v1", () => first));

        var (summary, journal) = await Race(catalog, budget: 8);

        var swap = journal.Events.OfType<ContestantSwapped>().Should().ContainSingle().Subject;
        (swap.OldVersion, swap.NewVersion, swap.TrialsReplayed).Should().Be(("1.0 (v1)", "1.1 (v2)", 3));
        first.Told.Select(t => t.Index).Should().Equal(0, 1, 2);
        second.Told.Select(t => t.Index).Should().Equal(0, 1, 2, 3, 4, 5, 6, 7); // 3 replayed, then 5 new
        journal.Events.OfType<TrialFinished>().Select(t => t.Trial.Index).Should().Equal(0, 1, 2, 3, 4, 5, 6, 7);
        summary.Contestants.Single().Evaluations.Should().Be(8);
        summary.Contestants.Single().Version.Should().Be("1.1"); // the build it finished on is reported
        // Swap journaled between the third and fourth trial.
        var order = journal
            .Events.Select(e =>
                e is TrialFinished t ? $"t{t.Trial.Index}"
                : e is ContestantSwapped ? "swap"
                : null
            )
            .Where(x => x is not null);
        order.Should().ContainInOrder("t2", "swap", "t3");
    }

    [Fact]
    public async Task A_broken_build_is_journaled_with_its_errors_and_the_old_version_keeps_racing()
    {
        var catalog = new StrategyCatalog();
        var first = new DelegateStrategy(
            c => c.Space.Sample(c.Random),
            tell: t =>
            {
                if (t.Index == 1)
                    catalog.ReportFailure("tests", "mine.csx(3,14): error CS1002: ; expected");
            }
        );
        catalog.Add(Build("s", "v1", () => first));

        var (summary, journal) = await Race(catalog, budget: 5);

        journal
            .Events.OfType<SwapFailed>()
            .Should()
            .ContainSingle()
            .Which.Message.Should()
            .Be("mine.csx(3,14): error CS1002: ; expected");
        journal.Events.OfType<ContestantSwapped>().Should().BeEmpty();
        first.Told.Should().HaveCount(5);
        summary.Contestants.Single().Evaluations.Should().Be(5);
    }

    [Fact]
    public async Task A_new_build_that_adds_a_name_another_source_has_is_journaled_as_a_failed_build_and_the_rest_swaps_in()
    {
        var catalog = new StrategyCatalog();
        catalog.Add(
            new StrategyEntry(
                new TestStrategyFactory("taken", () => new DelegateStrategy(c => c.Space.Sample(c.Random))),
                new StrategySource("test", "elsewhere.dll", "1.0", "e1")
            )
        );
        var second = new DelegateStrategy(c => c.Space.Sample(c.Random));
        var first = new DelegateStrategy(
            c => c.Space.Sample(c.Random),
            tell: t =>
            {
                if (t.Index == 1)
                    catalog.ReplaceSource(
                        "tests",
                        [
                            Build("s", "v2", () => second),
                            Build("taken", "v2", () => new DelegateStrategy(c => c.Space.Sample(c.Random))),
                        ]
                    );
            }
        );
        catalog.Add(Build("s", "v1", () => first));

        var (summary, journal) = await Race(catalog, budget: 5);

        journal
            .Events.OfType<SwapFailed>()
            .Should()
            .ContainSingle()
            .Which.Message.Should()
            .Be(
                "Strategy 'taken' from tests ignored: elsewhere.dll already provides it. Rename it; a contestant racing "
                    + "it goes on with the build it has."
            );
        journal.Events.OfType<ContestantSwapped>().Should().ContainSingle(); // s itself took its new build
        catalog.Get("taken").Source.Origin.Should().Be("elsewhere.dll");
        summary.Contestants.Single().Evaluations.Should().Be(5);
    }

    [Fact]
    public async Task A_new_build_whose_replay_throws_is_refused_and_the_old_version_keeps_racing()
    {
        var catalog = new StrategyCatalog();
        var broken = Build("s", "v2", () =>
            new DelegateStrategy(
                c => c.Space.Sample(c.Random),
                tell: _ => throw new InvalidOperationException("bad replay")
            )
        );
        var first = new DelegateStrategy(
            c => c.Space.Sample(c.Random),
            tell: t =>
            {
                if (t.Index == 0)
                    catalog.ReplaceSource("tests", [broken]);
            }
        );
        catalog.Add(Build("s", "v1", () => first));

        var (summary, journal) = await Race(catalog, budget: 4);

        journal.Events.OfType<SwapFailed>().Should().ContainSingle().Which.Message.Should().Contain("bad replay");
        first.Told.Should().HaveCount(4);
        summary.Contestants.Single().Failures.Should().Be(0);
    }

    [Fact]
    public async Task An_ask_that_does_not_return_in_time_fails_that_call_and_the_contestant_is_rebuilt_by_replay()
    {
        var catalog = new StrategyCatalog();
        int instances = 0;
        // The hanging ask waits until the test ends, so it overruns whatever the timeout; the timeout is generous, so
        // that no other call overruns it on a loaded machine.
        using var release = new ManualResetEventSlim();
        catalog.Add(Build("s", "v1", () =>
            {
                bool hang = Interlocked.Increment(ref instances) == 1;
                return new DelegateStrategy(c =>
                {
                    if (hang && c.AskIndex == 1)
                        release.Wait();
                    return c.Space.Sample(c.Random);
                });
            }));

        var (summary, journal) = await Race(catalog, budget: 4, timeout: TimeSpan.FromSeconds(1));
        release.Set(); // the abandoned thread returns and leaves

        journal
            .Events.OfType<ContestantFailed>()
            .Should()
            .ContainSingle()
            .Which.Message.Should()
            .Contain("did not return within 1 s");
        journal
            .Events.OfType<ContestantSwapped>()
            .Should()
            .ContainSingle()
            .Which.Reason.Should()
            .Be("rebuilt after a timeout");
        summary.Contestants.Single().Evaluations.Should().Be(4);
        summary.Contestants.Single().Failures.Should().Be(1);
        journal.Events.OfType<TrialFinished>().Should().HaveCount(3);
    }

    [Fact]
    public async Task A_constructor_that_throws_sits_the_heat_out_until_a_working_build_arrives()
    {
        var catalog = new StrategyCatalog();
        catalog.Add(Build("s", "v1", () => throw new InvalidOperationException("no")));
        var (summary, journal) = await Race(catalog, budget: 3);
        journal.Events.OfType<ContestantFailed>().Should().ContainSingle().Which.Phase.Should().Be("create");
        summary.Contestants.Single().Evaluations.Should().Be(0);
    }
}
