using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Journal;

namespace Nas.Sandbox.Tests;

public sealed class JournalTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nas-journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_torn_last_line_is_tolerated_and_reported()
    {
        File.WriteAllText(_path, "{\"type\":\"heat-started\",\"heat\":0}\n{\"type\":\"trial\",\"arch\":\"|nor_co");
        var contents = JournalReader.Read(_path);
        contents.TornLastLine.Should().BeTrue();
        contents.Lines.Should().ContainSingle().Which.Type.Should().Be("heat-started");
    }

    [Fact]
    public void Any_other_bad_line_is_an_error_with_its_line_number()
    {
        File.WriteAllText(_path, "{\"type\":\"heat-started\"}\nnot json\n{\"type\":\"heat-finished\"}\n");
        var act = () => JournalReader.Read(_path);
        act.Should().Throw<NasException>().WithMessage($"{_path}(2): not a journal event*");
    }

    [Fact]
    public void A_line_without_a_type_is_an_error()
    {
        File.WriteAllText(_path, "{\"kind\":\"trial\"}\n");
        var act = () => JournalReader.Read(_path);
        act.Should().Throw<NasException>().WithMessage($"{_path}(1): *type*");
    }

    [Fact]
    public void The_fast_trial_writer_writes_exactly_what_the_general_format_does()
    {
        var space = new Nas.Sandbox.Core.Spaces.Nb201Space();
        var full = new TrialFinished("c", 2, new Trial
        {
            Index = 7, Architecture = space.Sample(new Random(1)), Status = TrialStatus.Diverged, CostSeconds = 1.234567,
            Metrics = new Metrics { ValidationAccuracy = 0.75, ValidationLoss = 0.5, TrainingLoss = 0.25, Parameters = 123, Flops = 4567, LatencyMs = 1.5, Score = -3 },
            Fidelity = new Fidelity { Epochs = 1, TrainingImages = 500, Channels = 8, CellsPerStage = 1, BatchSize = 64 }, FromCache = true, Message = "loss \"NaN\"",
        }, 0.75);
        var bare = full with { Trial = full.Trial with { Metrics = new Metrics(), Fidelity = new Fidelity(), Message = null, Status = TrialStatus.Ok } };
        foreach (var e in new[] { full, bare })
        {
            var text = new StringWriter();
            using (var writer = new Newtonsoft.Json.JsonTextWriter(text)) JournalFormat.WriteTrial(writer, e);
            text.ToString().Should().Be(JournalFormat.ToJson(e).ToString(Newtonsoft.Json.Formatting.None));
        }
    }
}
