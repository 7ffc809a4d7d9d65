using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Files written together (a Pareto race's CSV and its chart) are written whole and together: when one cannot be moved
/// into place, every target keeps what it held before, and nothing of the attempt is left beside them.
/// </summary>
public sealed class OutputPathsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-output-paths-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>The names in the folder: the targets, and anything a write left beside them.</summary>
    private IEnumerable<string?> Entries() => Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName);

    /// <summary>A target that is a folder: its temporary is written, but the move onto it fails.</summary>
    private string Unmovable()
    {
        string folder = Path.Combine(_folder, "fronts.png");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "inside"), "keeps the folder non-empty");
        return folder;
    }

    [Fact]
    public void Both_files_are_replaced_and_nothing_else_is_left()
    {
        string csv = Path.Combine(_folder, "fronts.csv"),
            png = Path.Combine(_folder, "fronts.png");
        File.WriteAllText(csv, "old csv");

        OutputPaths.WriteAll((csv, Bytes("new csv")), (png, Bytes("new png")));

        File.ReadAllText(csv).Should().Be("new csv");
        File.ReadAllText(png).Should().Be("new png");
        Entries()
            .Should()
            .BeEquivalentTo(["fronts.csv", "fronts.png"], "no temporary or backup outlives a write that succeeded");
    }

    [Fact]
    public void A_file_that_cannot_be_moved_into_place_leaves_the_one_before_it_as_it_was()
    {
        string csv = Path.Combine(_folder, "fronts.csv");
        File.WriteAllText(csv, "old csv");
        string png = Unmovable();

        var write = () => OutputPaths.WriteAll((csv, Bytes("new csv")), (png, Bytes("new png")));

        write.Should().Throw<NasException>().WithMessage($"cannot write {csv} and {png}: *");
        File.ReadAllText(csv)
            .Should()
            .Be("old csv", "a CSV replaced while its chart could not be would describe another race than the chart");
        Entries()
            .Should()
            .BeEquivalentTo(["fronts.csv", "fronts.png"], "no temporary or backup outlives a failed write");
    }

    [Fact]
    public void A_file_created_by_a_write_that_failed_is_removed()
    {
        string csv = Path.Combine(_folder, "fronts.csv");
        string png = Unmovable();

        var write = () => OutputPaths.WriteAll((csv, Bytes("new csv")), (png, Bytes("new png")));

        write.Should().Throw<NasException>();
        File.Exists(csv).Should().BeFalse("the CSV did not exist before the write that failed");
        Entries().Should().BeEquivalentTo(["fronts.png"]);
    }
}
