using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli;
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
}
