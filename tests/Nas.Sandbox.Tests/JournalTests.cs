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
}
