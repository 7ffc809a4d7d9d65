using static TorchSharp.torch;

namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Publishes a search space under a name (<c>--space NAME</c>) with everything a race needs from it: the space itself
/// (sampling, mutation, neighbours, encoding, string form), the network an architecture stands for (trained by the
/// training estimator, priced by the zero-cost proxies; parameters and FLOPs are counted on it), and its picture in the
/// console. Found by type in plugins, packs and scripts, like strategies; the built-in <c>nb201</c> space is published
/// the same way. Validated once when a race names it (sample, parse round-trip, encoding length, a network built and run
/// on one image). (API 2.3.)
/// </summary>
public interface ISpaceProvider
{
    /// <summary>The name on the command line, lower-case with dashes (<c>nats-size</c>); unique across sources.</summary>
    string Name { get; }

    /// <summary>One line for <c>nas list</c>: what the space is, and its paper.</summary>
    string Description { get; }

    /// <summary>
    /// The space; <paramref name="operations"/> is the race's <c>--operations</c> list (names the host's registry
    /// knows), or null for the space's default. A space whose choices are not operations throws
    /// <see cref="ArgumentException"/> for a non-null list. The returned space's <see cref="ISearchSpace.Name"/> is
    /// <see cref="Name"/>.
    /// </summary>
    ISearchSpace CreateSpace(IReadOnlyList<string>? operations);

    /// <summary>
    /// A new network for <paramref name="architecture"/> (an architecture of a space this provider made) shaped by
    /// <paramref name="shape"/>, mapping <c>[batch, InputChannels, ImageSize, ImageSize]</c> to logits
    /// <c>[batch, Classes]</c>. The host seeds the generator before the call (so weights drawn here are
    /// reproducible), moves the network to the race's device, and disposes it.
    /// </summary>
    nn.Module<Tensor, Tensor> BuildNetwork(Architecture architecture, NetworkShape shape);

    /// <summary>
    /// The architecture as lines of text for the console and reports, at most about <paramref name="maxWidth"/>
    /// characters wide when it can. By default its key, cut into lines of <paramref name="maxWidth"/> characters.
    /// </summary>
    IReadOnlyList<string> Draw(Architecture architecture, int maxWidth)
    {
        string key = architecture.Key;
        int width = Math.Max(1, maxWidth);
        var lines = new List<string>();
        for (int i = 0; i < key.Length; i += width)
            lines.Add(key.Substring(i, Math.Min(width, key.Length - i)));
        return lines;
    }
}

/// <summary>
/// What a network is built for (API 2.3): the data's images and classes, the race's size settings (<c>--channels</c>,
/// <c>--cells</c>; a space may read them its own way or ignore them) and the host's operations.
/// </summary>
public sealed record NetworkShape
{
    /// <summary>Channels of an input image (1 for Fashion-MNIST).</summary>
    public required int InputChannels { get; init; }

    /// <summary>Height and width of an input image (28 for Fashion-MNIST).</summary>
    public required int ImageSize { get; init; }

    /// <summary>Number of classes: the network's outputs.</summary>
    public required int Classes { get; init; }

    /// <summary>The race's channel setting C (the first stage's channels in NB201's skeleton).</summary>
    public required int Channels { get; init; }

    /// <summary>The race's cells per stage N.</summary>
    public required int CellsPerStage { get; init; }

    /// <summary>
    /// An operation of the host's registry (built-in, plugin or script) as a module:
    /// <c>(name, channelsIn, channelsOut, stride)</c>, as <see cref="IOperation.Build"/> makes it.
    /// </summary>
    public required Func<string, int, int, int, nn.Module<Tensor, Tensor>> BuildOperation { get; init; }
}
