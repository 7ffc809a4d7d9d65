using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

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
        var act = () => JournalReader.Read(_path).Lines.ToList(); // lines are read when enumerated
        act.Should().Throw<NasException>().WithMessage($"{_path}(2): not a journal event*");
    }

    [Fact]
    public void A_line_without_a_type_is_an_error()
    {
        File.WriteAllText(_path, "{\"kind\":\"trial\"}\n");
        var act = () => JournalReader.Read(_path).Lines.ToList(); // lines are read when enumerated
        act.Should().Throw<NasException>().WithMessage($"{_path}(1): *type*");
    }

    private const string Started = "{\"type\":\"race-started\",\"settings\":{}}";
    private const string Heat = "{\"type\":\"heat-started\",\"heat\":0}";
    private const string Finished = "{\"type\":\"heat-finished\",\"heat\":0}";

    private static RaceEvent AnEvent => new HeatFinished(1, []);

    [Fact]
    public void A_full_disk_is_one_clear_error_naming_the_journal_and_the_close_still_releases_it()
    {
        // Linux's /dev/full fails every write with ENOSPC, as a full disk does.
        File.Exists("/dev/full").Should().BeTrue("the tests run on Linux");
        var writer = new JournalWriter("/dev/full", syncTrials: false);
        // A heat-finished line is flushed at once, and meets the full disk.
        FluentActions
            .Invoking(() => writer.Append(AnEvent))
            .Should()
            .Throw<NasException>()
            .WithMessage("cannot write to journal /dev/full: *");
        // The close does not throw again over the error the race is already reporting.
        writer.Dispose();
        // Closed all the same: its lock is released, so another writer may open the journal.
        using var again = new JournalWriter("/dev/full");
    }

    [Fact]
    public void A_complete_last_event_without_its_newline_is_read_and_the_repair_completes_it()
    {
        File.WriteAllText(_path, $"{Started}\n{Heat}\n{Finished}");
        var contents = JournalReader.Read(_path);
        contents.TornLastLine.Should().BeFalse();
        contents.Lines.Select(l => l.Type).Should().Equal("race-started", "heat-started", "heat-finished");
        JournalReader.LastEvent(_path)!["type"]!.ToString().Should().Be("heat-finished");

        using (var writer = new JournalWriter(_path, repairTornTail: true))
        {
            writer.Repaired.Should().Be(TailRepair.Completed);
            writer.Append(AnEvent);
        }
        File.ReadAllText(_path).Should().StartWith($"{Started}\n{Heat}\n{Finished}\n{{\"type\":\"heat-finished\"");
        JournalReader
            .Read(_path)
            .Lines.Select(l => l.Type)
            .Should()
            .Equal("race-started", "heat-started", "heat-finished", "heat-finished");
    }

    [Fact]
    public void The_repair_cuts_a_torn_last_line_and_the_reader_skipped_the_same_one()
    {
        File.WriteAllText(_path, $"{Started}\n{Heat}\n{Finished[..20]}");
        JournalReader.Read(_path).Lines.Select(l => l.Type).Should().Equal("race-started", "heat-started");
        JournalReader.LastEvent(_path)!["type"]!.ToString().Should().Be("heat-started");
        using (var writer = new JournalWriter(_path, repairTornTail: true))
        {
            writer.Repaired.Should().Be(TailRepair.Cut);
            writer.LengthAtOpen.Should().Be(Started.Length + Heat.Length + 2 + 20);
            writer.Append(AnEvent);
        }
        var contents = JournalReader.Read(_path);
        contents.TornLastLine.Should().BeFalse();
        contents.Lines.Select(l => l.Type).Should().Equal("race-started", "heat-started", "heat-finished");
        File.ReadAllText(_path).Should().StartWith($"{Started}\n{Heat}\n{{").And.EndWith("\n");
    }

    [Fact]
    public void A_journal_ending_with_its_newline_is_not_touched_by_the_repair()
    {
        File.WriteAllText(_path, $"{Started}\n{Heat}\n");
        using (var writer = new JournalWriter(_path, repairTornTail: true))
            writer.Repaired.Should().Be(TailRepair.None);
        File.ReadAllText(_path).Should().Be($"{Started}\n{Heat}\n");
    }

    [Fact]
    public void A_second_writer_is_refused_while_the_first_is_open_even_after_the_journal_was_read_meanwhile()
    {
        File.WriteAllText(_path, $"{Started}\n");
        using (var first = new JournalWriter(_path))
        {
            // A POSIX record lock (FileStream.Lock) would be dropped here, when this process closes the reader's descriptor.
            JournalReader.Read(_path).Lines.Should().ContainSingle();
            File.ReadAllText(_path).Should().Be($"{Started}\n");
            var second = () => new JournalWriter(_path, repairTornTail: true);
            second
                .Should()
                .Throw<NasException>()
                .WithMessage($"journal {_path} is in use by another nas process (pid {Environment.ProcessId})*");
            first.Append(AnEvent);
        }
        using (var again = new JournalWriter(_path))
            again.Append(AnEvent);
        JournalReader.Read(_path).Lines.Should().HaveCount(3);
    }

    [Fact]
    public void A_journal_that_cannot_be_opened_for_appending_is_an_error_naming_it()
    {
        string folder = Directory.CreateTempSubdirectory("nas-journal-").FullName;
        try
        {
            var act = () => new JournalWriter(folder, repairTornTail: true);
            act.Should().Throw<NasException>().WithMessage($"cannot append to journal {folder}: *");
            string file = Path.Combine(folder, "file");
            File.WriteAllText(file, "");
            act = () => new JournalWriter(Path.Combine(file, "race.jsonl"));
            act.Should()
                .Throw<NasException>()
                .WithMessage($"cannot append to journal {Path.Combine(file, "race.jsonl")}: *");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_new_journal_never_takes_an_existing_file()
    {
        string folder = Directory.CreateTempSubdirectory("nas-journal-").FullName;
        try
        {
            string path = Path.Combine(folder, "race-1.jsonl");
            using var first = JournalWriter.CreateNew(path);
            using var second = JournalWriter.CreateNew(path);
            using var third = JournalWriter.CreateNew(path);
            new[] { first.Path, second.Path, third.Path }
                .Select(Path.GetFileName)
                .Should()
                .Equal("race-1.jsonl", "race-1-2.jsonl", "race-1-3.jsonl");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_second_race_started_line_is_refused_with_its_line_number()
    {
        File.WriteAllText(_path, $"{Started}\n{Heat}\n\n{Started}\n");
        var act = () => ResumePoint.Read(JournalReader.Read(_path), _path, new Nas.Sandbox.Core.Spaces.Nb201Space());
        act.Should().Throw<NasException>().WithMessage($"{_path}(4): a second race-started*");
    }

    [Fact]
    public void The_fast_trial_writer_writes_exactly_what_the_general_format_does()
    {
        var space = new Nas.Sandbox.Core.Spaces.Nb201Space();
        var full = new TrialFinished(
            "c",
            2,
            new Trial
            {
                Index = 7,
                Architecture = space.Sample(new Random(1)),
                Status = TrialStatus.Diverged,
                CostSeconds = 1.234567,
                Metrics = new Metrics
                {
                    ValidationAccuracy = 0.75,
                    ValidationLoss = 0.5,
                    TrainingLoss = 0.25,
                    Parameters = 123,
                    Flops = 4567,
                    LatencyMs = 1.5,
                    Score = -3,
                },
                Fidelity = new Fidelity
                {
                    Epochs = 1,
                    TrainingImages = 500,
                    Channels = 8,
                    CellsPerStage = 1,
                    BatchSize = 64,
                },
                FromCache = true,
                Message = "loss \"NaN\"",
            },
            0.75
        );
        var bare = full with
        {
            Trial = full.Trial with
            {
                Metrics = new Metrics(),
                Fidelity = new Fidelity(),
                Message = null,
                Status = TrialStatus.Ok,
            },
        };
        foreach (var e in new[] { full, bare })
        {
            var text = new StringWriter();
            using (var writer = new Newtonsoft.Json.JsonTextWriter(text))
                JournalFormat.WriteTrial(writer, e);
            text.ToString().Should().Be(JournalFormat.ToJson(e).ToString(Newtonsoft.Json.Formatting.None));
        }
    }
}
