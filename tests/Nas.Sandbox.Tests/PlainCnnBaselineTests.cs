using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The headline experiment's hand-designed baseline (bench/headline/plain-cnn.csx): a VGG-style plain CNN published as
/// the script space <c>plain-cnn</c>, so <c>nas train</c> trains it like any searched architecture. What the headline's
/// comparison relies on: its <c>3x4-3x4-3x4</c> has about the parameters of the all-3×3 NB201 cell at the same size
/// (C=16, N=5), the space passes the host's validation, and a wrong key is one error naming the stage at fault.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class PlainCnnBaselineTests
{
    private const string AllConv3x3 =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";

    private static SandboxHost Host()
    {
        string folder = Path.Combine(ScriptTestKit.RepoRoot, "bench", "headline");
        var host = SandboxHost.Create(typeof(PlainCnnBaselineTests).Assembly, [], [folder], lazyScripts: true);
        host.LoadScriptFolders();
        return host;
    }

    private static NetworkShape FullFidelity(OperationRegistry operations) =>
        new()
        {
            InputChannels = 1,
            ImageSize = 28,
            Classes = 10,
            Channels = 16,
            CellsPerStage = 5,
            BuildOperation = (name, i, o, s) => operations.Get(name).Build(i, o, s),
        };

    [Fact]
    public void The_plain_cnn_has_the_parameters_of_the_all_3x3_cell_within_five_percent()
    {
        using var host = Host();
        host.Scripts.Errors.Should().BeEmpty();
        var space = host.CreateSpace("plain-cnn", channels: 16, cellsPerStage: 5); // validated by the host
        space.Size.Should().Be(4096);
        var operations = OperationRegistry.CreateDefault();
        var shape = FullFidelity(operations);

        long plain,
            cell;
        using (var network = host.ResolveSpace("plain-cnn").Provider.BuildNetwork(space.Parse("3x4-3x4-3x4"), shape))
        {
            plain = ModelCounter.Count(network, 1, 28).Parameters;
            using var logits = network.call(zeros(2, 1, 28, 28));
            logits.shape.Should().Equal([2, 10]);
        }
        var nb201 = host.CreateSpace("nb201");
        using (var network = host.ResolveSpace("nb201").Provider.BuildNetwork(nb201.Parse(AllConv3x3), shape))
            cell = ModelCounter.Count(network, 1, 28).Parameters;

        // 48-96-192 channels, 4 bias-free 3×3 convolutions each, batch norm, a 192→10 classifier (the script's comment).
        plain.Should().Be(1_518_778);
        cell.Should().Be(1_531_258, "bench/pytorch_peer.py's TinyNetwork counts the same");
        Math.Abs(plain - cell).Should().BeLessThan(cell / 20);
    }

    [Theory]
    [InlineData("3x4-3x4", 8, "stage 3 of 3")]
    [InlineData("3x4-5x4-3x4", 4, "stage 2 of 3")]
    [InlineData("3x4-3x4-3x4-1x1", 11, "plain-cnn has 3 stages")]
    public void A_wrong_key_is_one_error_naming_the_stage(string key, int position, string expected)
    {
        using var host = Host();
        var space = host.CreateSpace("plain-cnn");
        var parse = () => space.Parse(key);
        parse
            .Should()
            .Throw<ArchitectureFormatException>()
            .Where(e => e.Position == position && e.Expected.Contains(expected));
    }
}
