using System.Text;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Scripts as contestants: raced against the built-ins, edited mid-race, broken mid-race.</summary>
public sealed class ScriptRaceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-script-race-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public async Task The_example_scripts_race_the_built_in_strategies()
    {
        using var host = SandboxHost.Create(typeof(ScriptRaceTests).Assembly);
        host.Scripts.Errors.Should().BeEmpty();
        string[] contestants =
        [
            "random-search",
            "regularized-evolution",
            "greedy-local-search",
            "edge-bandit",
            "crossover-evolution",
        ];
        foreach (string name in contestants.Skip(2))
            host.Strategies.Get(name).Source.Kind.Should().Be(StrategySource.Script);
        var journal = new ListJournal();
        var summary = await new Referee(new Nb201Space(), new FormulaEstimator(), host.Strategies, journal).RunAsync(
            new RaceSettings
            {
                Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
                Budget = 25,
                Heats = 2,
            }
        );
        summary.Contestants.Should().HaveCount(5).And.OnlyContain(c => c.Evaluations == 50 && c.Failures == 0);
        journal.Events.OfType<ContestantFailed>().Should().BeEmpty();
    }

    private string WriteScript(string name, string body)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, body);
        return path;
    }

    private static string Strategy(string marker) =>
        $$"""
            // {{marker}}
            public sealed class Walker : IStrategy
            {
                public Architecture Ask(SearchContext c) => c.Space.Sample(c.Random);
                public void Tell(Trial t) { }
            }
            """;

    private static async Task<(ListJournal Journal, RaceSummary Summary, int Recompiles)> RaceWhileEditing(
        string path,
        Action edit,
        int budget = 60
    )
    {
        var strategies = new StrategyCatalog();
        using var scripts = new ScriptCatalog(new ScriptCompiler(), strategies, OperationRegistry.CreateDefault());
        scripts.Load(path).Should().BeTrue();
        int recompiles = 0;
        using var recompiled = new ManualResetEventSlim();
        scripts.Recompiled += (_, _) =>
        {
            Interlocked.Increment(ref recompiles);
            recompiled.Set();
        };
        scripts.Watch(TimeSpan.FromMilliseconds(100));
        var journal = new ListJournal();
        var referee = new Referee(
            new Nb201Space(),
            new FormulaEstimator(TimeSpan.FromMilliseconds(40)),
            strategies,
            journal
        );
        referee.EventRaised += e =>
        {
            if (e is not TrialFinished { Trial.Index: 5 })
                return;
            edit();
            // The race waits here for the recompile, however slow the machine, so that the swap (or its failure) always
            // lands mid-race; the rest of the race (40 ms an evaluation) leaves time for a second compile to show up.
            recompiled.Wait(TimeSpan.FromMinutes(1));
        };
        var summary = await referee.RunAsync(
            new RaceSettings { Contestants = [ContestantSpec.Parse(path)], Budget = budget }
        );
        return (journal, summary, recompiles);
    }

    [Fact]
    public async Task Saving_a_script_mid_race_swaps_the_contestant_to_the_new_version_with_its_history_and_budget()
    {
        string path = WriteScript("walker.csx", Strategy("version one"));
        var (journal, summary, recompiles) = await RaceWhileEditing(path, () =>
        {
            // An editor's burst: two saves in quick succession compile once.
            File.WriteAllText(path, Strategy("version two, draft"));
            File.WriteAllText(path, Strategy("version two"));
        });

        recompiles.Should().Be(1);
        var swap = journal.Events.OfType<ContestantSwapped>().Should().ContainSingle().Subject;
        swap.NewVersion.Should().NotBe(swap.OldVersion);
        swap.TrialsReplayed.Should().BeGreaterThanOrEqualTo(6);
        summary.Contestants.Single().Evaluations.Should().Be(60);
        journal.Events.OfType<TrialFinished>().Select(t => t.Trial.Index).Should().Equal(Enumerable.Range(0, 60));
    }

    [Fact]
    public async Task A_broken_save_keeps_the_old_version_racing_and_reports_file_and_line()
    {
        string path = WriteScript("walker.csx", Strategy("fine"));
        var (journal, summary, _) = await RaceWhileEditing(path, () =>
            File.WriteAllText(path, "public sealed class Broken : IStrategy {\n  int x = ;\n}\n")
        );

        var failure = journal.Events.OfType<SwapFailed>().Should().ContainSingle().Subject;
        failure.Message.Should().StartWith($"{path}(").And.Contain($"{path}(2,11): error CS1525");
        journal.Events.OfType<ContestantSwapped>().Should().BeEmpty();
        summary.Contestants.Single().Evaluations.Should().Be(60);
        summary.Contestants.Single().Failures.Should().Be(0);
    }

    [Fact]
    public async Task A_save_that_is_not_utf8_is_a_failed_swap_naming_the_byte_and_the_old_version_keeps_racing()
    {
        string path = WriteScript("walker.csx", Strategy("fine"));
        var (journal, summary, _) = await RaceWhileEditing(path, () =>
            File.WriteAllBytes(path, [.. "// caf"u8, 0xE9, .. "\n"u8, .. Encoding.UTF8.GetBytes(Strategy("latin-1"))])
        );

        journal
            .Events.OfType<SwapFailed>()
            .Should()
            .ContainSingle()
            .Which.Message.Should()
            .Be(
                $"{path}(1,7): error NAS0001: the file is not valid UTF-8: byte 0xE9 at byte offset 6 (line 1, column 7); save it as UTF-8"
            );
        journal.Events.OfType<ContestantSwapped>().Should().BeEmpty();
        summary.Contestants.Single().Evaluations.Should().Be(60);
        summary.Contestants.Single().Failures.Should().Be(0);
    }
}

public class ScriptOperationSpaceTests
{
    [Fact]
    public async Task A_script_operation_can_be_raced_in_a_cell_space_that_includes_it()
    {
        using var host = SandboxHost.Create(typeof(ScriptOperationSpaceTests).Assembly);
        var space = host.CreateSpace("nb201", ["none", "skip_connect", "nor_conv_3x3", "nor_dil_conv_3x3"]);
        space.Size.Should().Be(4096);
        var journal = new NullJournal();
        var referee = new Referee(space, new FormulaEstimator(), host.Strategies, journal);
        var seen = new List<string>();
        referee.EventRaised += e =>
        {
            if (e is TrialFinished t)
                seen.AddRange(t.Trial.Architecture.Choices);
        };
        await referee.RunAsync(new RaceSettings { Contestants = [ContestantSpec.Parse("random-search")], Budget = 20 });
        seen.Should().Contain("nor_dil_conv_3x3").And.NotContain("avg_pool_3x3");
    }

    [Fact]
    public void An_unknown_operation_is_refused_with_the_known_ones()
    {
        using var host = SandboxHost.Create(typeof(ScriptOperationSpaceTests).Assembly);
        var act = () => host.CreateSpace("nb201", ["none", "sep_conv_9x9"]);
        act.Should().Throw<Nas.Sandbox.Core.NasException>().WithMessage("*sep_conv_9x9*Known:*nor_dil_conv_3x3*");
    }
}
