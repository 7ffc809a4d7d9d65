using System.IO.Compression;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Data;

namespace Nas.Sandbox.Tests;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void The_committed_subset_loads_as_fashion_mnist()
    {
        var data = FashionMnist.Load(TestData.FashionMnistSubsetDirectory);
        data.Train.Count.Should().Be(1500);
        data.Test.Count.Should().Be(300);
        (data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.Classes).Should().Be((1, 28, 28, 10));
        data.Train.Labels.Distinct().Should().HaveCount(10);
        data.Train.Labels[..5].Should().Equal(9, 0, 0, 3, 0); // the first labels of the official training set
    }

    [Fact]
    public void A_truncated_gzip_file_names_the_file()
    {
        byte[] whole = File.ReadAllBytes(Path.Combine(TestData.FashionMnistSubsetDirectory, FashionMnist.TrainImages));
        string path = Write("cut.gz", whole[..(whole.Length / 2)]);
        var act = () => IdxFile.Read(path);
        act.Should().Throw<NasException>().WithMessage($"{path}: truncated*");
    }

    [Fact]
    public void Truncated_idx_data_says_how_much_is_missing()
    {
        byte[] header = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28];
        string path = Write("short.idx.gz", Gzip([.. header, .. new byte[100]]));
        var act = () => IdxFile.Read(path);
        act.Should()
            .Throw<NasException>()
            .WithMessage($"{path}: truncated IDX data: the header promises 7840 bytes (10×28×28), the file has 100.");
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 8, 1, 0, 0, 0, 1, 0 }, "not an IDX file")]
    [InlineData(new byte[] { 0, 0, 13, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, "element type 0x0d")]
    [InlineData(new byte[] { 0, 0, 8, 9 }, "dimension count 9")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0 }, "truncated IDX header")]
    public void A_corrupt_header_is_refused_with_the_reason(byte[] content, string reason)
    {
        string path = Write("bad.idx", content);
        var act = () => IdxFile.Read(path);
        act.Should().Throw<NasException>().WithMessage($"{path}: *{reason}*");
    }

    [Fact]
    public void A_missing_dataset_names_the_debian_package_and_the_path()
    {
        var act = () => FashionMnist.Load(_folder);
        act.Should()
            .Throw<NasException>()
            .WithMessage($"*{Path.Combine(_folder, FashionMnist.TrainImages)}*dataset-fashion-mnist*");
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(content);
        return output.ToArray();
    }
}
