using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>The per-trial lines `nas race` prints on stderr.</summary>
public sealed class ProgressPrinterTests
{
    private static string TrialLine(Metrics metrics, TrialStatus status = TrialStatus.Ok)
    {
        var output = new StringWriter();
        var printer = new ProgressPrinter(
            output,
            new RaceSettings { Contestants = [ContestantSpec.Parse("random-search")], Estimator = "synflow" }
        );
        var cell = new Nb201Space().Sample(new Random(1));
        printer.Print(
            new TrialFinished(
                "random-search",
                0,
                new Trial
                {
                    Index = 0,
                    Architecture = cell,
                    Status = status,
                    Metrics = metrics,
                    CostSeconds = 0.2,
                    Message = status == TrialStatus.Ok ? null : "out of memory",
                },
                BestSoFar: metrics.ValidationAccuracy ?? metrics.Score
            )
        );
        return output.ToString();
    }

    [Fact]
    public void A_trial_line_shows_the_accuracy_or_else_a_zero_cost_proxy_s_score_or_else_a_dash()
    {
        TrialLine(new Metrics { ValidationAccuracy = 0.8125 }).Should().Contain(" acc 0.8125 ");
        // A proxy measures no accuracy: the race ranks by the score, and the line shows it instead of "acc -".
        TrialLine(new Metrics { Score = 41.25 })
            .Should()
            .Contain(" score 41.2500 ")
            .And.Contain("best 41.2500")
            .And.NotContain("acc");
        TrialLine(new Metrics(), TrialStatus.Failed)
            .Should()
            .Contain(" acc   -   ")
            .And.Contain("failed: out of memory");
    }

    /// <summary>A zero-cost proxy's stand-in: a score (the count of 3×3 convolutions), no accuracy.</summary>
    private sealed class ScoreOnlyEstimator : IEstimator
    {
        public string Name => "score-only";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        ) =>
            Task.FromResult(
                new EvaluationResult
                {
                    Status = TrialStatus.Ok,
                    CostSeconds = 0.1,
                    Fidelity = request.Fidelity,
                    Metrics = new Metrics { Score = architecture.Choices.Count(c => c == "nor_conv_3x3") },
                }
            );
    }

    [Fact]
    public async Task In_a_proxy_race_each_trial_line_shows_the_contestant_s_best_score_so_far()
    {
        var journal = new ListJournal();
        var catalog = new StrategyCatalog([
            new TestStrategyFactory("sampler", () => new DelegateStrategy(c => c.Space.Sample(c.Random))).Entry(),
        ]);
        var settings = new RaceSettings
        {
            Contestants = [ContestantSpec.Parse("sampler")],
            Budget = 12,
            Seed = 3,
        };
        var output = new StringWriter();
        var printer = new ProgressPrinter(output, settings);
        var referee = new Referee(new Nb201Space(), new ScoreOnlyEstimator(), catalog, journal);
        referee.EventRaised += printer.Print;
        await referee.RunAsync(settings);

        var scores = journal.Events.OfType<TrialFinished>().Select(e => e.Trial.Metrics.Score!.Value).ToArray();
        scores.Should().HaveCount(12).And.Contain(s => s != scores[0], "the sampled cells differ");
        var lines = output.ToString().Split('\n').Where(l => l.Contains(" score ")).ToArray();
        lines.Should().HaveCount(12);
        for (int i = 0; i < lines.Length; i++)
            lines[i].Should().Contain($"best {scores.Take(i + 1).Max():0.0000}", "the best score so far, not a dash");
    }
}
