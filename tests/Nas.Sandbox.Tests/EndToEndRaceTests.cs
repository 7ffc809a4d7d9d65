using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>A real race: built-in plugins, real training on the committed subset (tiny fidelity), a real journal.</summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class EndToEndRaceTests : IDisposable
{
    private readonly string _journal = Path.Combine(Path.GetTempPath(), $"nas-race-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_journal);

    [Fact]
    public async Task A_tiny_race_of_the_built_in_strategies_trains_for_real_and_its_journal_parses_back()
    {
        var training = new TrainingSettings
        {
            Epochs = 1,
            TrainingImages = 300,
            ValidationImages = 200,
            Channels = 8,
            BatchSize = 50,
        };
        var settings = new RaceSettings
        {
            Contestants =
            [
                ContestantSpec.Parse("random-search"),
                ContestantSpec.Parse("regularized-evolution:population=2,sample=2"),
            ],
            Budget = 3,
            Heats = 1,
            Seed = 11,
            Dataset = "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
            Fidelity = training.ToFidelity(),
        };
        using var host = SandboxHost.Create(typeof(EndToEndRaceTests).Assembly);
        var estimator = host.CreateEstimator("train", settings.Dataset, training, "cpu");
        RaceSummary summary;
        using (var journal = new JournalWriter(_journal))
            summary = await new Referee(host.CreateSpace("nb201"), estimator, host.Strategies, journal).RunAsync(
                settings
            );

        var lines = JournalReader.Read(_journal);
        lines.TornLastLine.Should().BeFalse();
        lines
            .Lines.Select(l => l.Type)
            .Should()
            .Equal([
                "race-started",
                "heat-started",
                "trial",
                "trial",
                "trial",
                "trial",
                "trial",
                "trial",
                "heat-finished",
                "race-finished",
            ]);
        var space = new Nb201Space();
        foreach (var trial in lines.Lines.Where(l => l.Type == "trial").Select(l => l.Event))
        {
            space.Parse((string)trial["arch"]!).Key.Should().Be((string)trial["arch"]!);
            ((string)trial["status"]!).Should().Be("ok");
            ((double)trial["metrics"]!["validationAccuracy"]!).Should().BeInRange(0, 1);
            ((long)trial["metrics"]!["params"]!).Should().BePositive();
            ((double)trial["cost"]!).Should().BeGreaterThanOrEqualTo(0);
            ((string)trial["time"]!).Should().EndWith("Z");
            DateTime
                .Parse((string)trial["time"]!, null, System.Globalization.DateTimeStyles.RoundtripKind)
                .Kind.Should()
                .Be(DateTimeKind.Utc);
        }
        lines
            .Lines.Where(l => l.Type == "trial")
            .Select(l => (string)l.Event["contestant"]!)
            .Should()
            .Equal(
                "random-search",
                "regularized-evolution:population=2,sample=2",
                "random-search",
                "regularized-evolution:population=2,sample=2",
                "random-search",
                "regularized-evolution:population=2,sample=2"
            );
        summary
            .Contestants.Should()
            .HaveCount(2)
            .And.OnlyContain(c => c.Evaluations == 3 && c.BestValidationAccuracy > 0.1);
        var started = lines.Lines.First().Event;
        ((string)started["contestants"]![0]!["source"]!).Should().Be("built-in pack");
    }
}
