using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The referee's memory guard (<see cref="MemoryGuard"/>) in-process, with small amounts: a contestant that runs out of
/// memory or keeps more than its limit has its instance dropped and sits out; one that only allocates and lets go is
/// left alone. The real heap limit is exercised through `nas` in <see cref="HostileRaceTests"/>.
/// </summary>
public class RefereeMemoryTests
{
    private const int MiB = 1 << 20;
    private readonly Nb201Space _space = new();

    private static TestStrategyFactory Random() =>
        new("rand", () => new DelegateStrategy(c => c.Space.Sample(c.Random)));

    [Fact]
    public async Task A_contestant_that_runs_out_of_memory_has_its_instance_dropped_before_it_is_journaled_and_sits_out()
    {
        // Thrown by the strategy itself, as the runtime throws it at the heap limit: this test host has no limit to reach.
        WeakReference? hog = null;
        var factory = new TestStrategyFactory("hog", () =>
        {
#pragma warning disable CA2201 // reserved for the runtime: raised here as the runtime raises it at a heap limit
            var strategy = new DelegateStrategy(_ => throw new OutOfMemoryException());
#pragma warning restore CA2201
            hog = new WeakReference(strategy);
            return strategy;
        });
        var journal = new ListJournal();
        var referee = new Referee(
            _space,
            new FormulaEstimator(),
            new StrategyCatalog([factory.Entry(), Random().Entry()]),
            journal
        );
        bool? collected = null;
        referee.EventRaised += e =>
        {
            if (e is not ContestantFailed { Phase: SitOutPhases.Memory })
                return;
            GC.Collect();
            collected = !hog!.IsAlive;
        };
        var summary = await referee.RunAsync(
            new RaceSettings { Contestants = [ContestantSpec.Parse("hog"), ContestantSpec.Parse("rand")], Budget = 5 }
        );

        collected.Should().BeTrue("the referee keeps no reference to the instance that ran out of memory");
        var faults = journal.Events.OfType<ContestantFailed>().ToArray();
        faults.Select(f => f.Phase).Should().Equal("ask", SitOutPhases.Memory);
        faults[0].Message.Should().StartWith("OutOfMemoryException");
        faults[1]
            .Message.Should()
            .StartWith("ran out of memory in Ask (managed heap limit ")
            .And.EndWith("; its instance was dropped and it sits out the rest of the heat");
        summary
            .Contestants.Single(c => c.Label == "hog")
            .Should()
            .Match<ContestantSummary>(c => c.Evaluations == 1 && c.Failures == 1);
        summary.Contestants.Single(c => c.Label == "rand").Evaluations.Should().Be(5);
    }

    [Fact]
    public async Task A_contestant_that_keeps_more_than_its_limit_is_dropped_and_one_that_only_lets_go_is_not()
    {
        var hoarder = new TestStrategyFactory("hoarder", () =>
        {
            var kept = new List<byte[]>();
            return new DelegateStrategy(c =>
            {
                kept.Add(GC.AllocateUninitializedArray<byte>(16 * MiB));
                return c.Space.Sample(c.Random);
            });
        });
        var churner = new TestStrategyFactory("churner", () => new DelegateStrategy(c =>
            {
                GC.KeepAlive(GC.AllocateUninitializedArray<byte>(16 * MiB));
                return c.Space.Sample(c.Random);
            }));
        var journal = new ListJournal();
        var referee = new Referee(
            _space,
            new FormulaEstimator(),
            new StrategyCatalog([hoarder.Entry(), churner.Entry(), Random().Entry()]),
            journal
        );
        var summary = await referee.RunAsync(
            new RaceSettings
            {
                Contestants =
                [
                    ContestantSpec.Parse("hoarder"),
                    ContestantSpec.Parse("churner"),
                    ContestantSpec.Parse("rand"),
                ],
                Budget = 12,
                ContestantMemoryGiB = 32.0 / 1024,
            }
        );

        // Kept 16 MiB a call, with a limit of 32: dropped after its third call at the latest, unless the test host's other
        // threads allocated more than it kept in between (the guard never blames one contestant for another's memory).
        var faults = journal.Events.OfType<ContestantFailed>().ToArray();
        faults
            .Should()
            .ContainSingle()
            .Which.Should()
            .Match<ContestantFailed>(f => f.Contestant == "hoarder" && f.Phase == SitOutPhases.Memory);
        faults[0]
            .Message.Should()
            .StartWith("kept about ")
            .And.Contain("of managed memory after Ask (limit 32 MiB per contestant, --contestant-memory)");
        summary.Contestants.Single(c => c.Label == "hoarder").Evaluations.Should().BeLessThan(12);
        summary
            .Contestants.Where(c => c.Label != "hoarder")
            .Should()
            .OnlyContain(c => c.Evaluations == 12 && c.Failures == 0);
    }

    [Fact]
    public void The_default_limit_is_a_quarter_of_the_heap_and_checks_come_every_eighth_of_it_at_most_64_MiB()
    {
        var guard = new MemoryGuard(null);
        guard.ContestantLimit.Should().Be(guard.HeapLimit / 4);
        guard.CheckEvery.Should().Be(Math.Min(64L * MiB, guard.ContestantLimit / 8));
        new MemoryGuard(0.25)
            .Should()
            .Match<MemoryGuard>(g => g.ContestantLimit == 256L * MiB && g.CheckEvery == 32L * MiB);
    }
}
