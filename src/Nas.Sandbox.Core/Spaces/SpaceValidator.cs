using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Spaces;

/// <summary>
/// Checks once, before a race starts, that a space keeps the promises a race relies on: its name is the provider's,
/// a sampled architecture belongs to it, parses back from its key to itself, encodes to <c>ChoiceCount ×
/// Operations.Count</c> values, and builds a network that maps one probe image to one logit per class. Each broken
/// promise is one <see cref="NasException"/> naming the space and its source; the race does not start.
/// </summary>
public static class SpaceValidator
{
    /// <summary>The probe's shape: a Fashion-MNIST image, ten classes, at the race's C and N.</summary>
    public static NetworkShape Probe(
        int channels,
        int cellsPerStage,
        Func<string, int, int, int, nn.Module<Tensor, Tensor>> buildOperation
    ) =>
        new()
        {
            InputChannels = 1,
            ImageSize = 28,
            Classes = 10,
            Channels = channels,
            CellsPerStage = cellsPerStage,
            BuildOperation = buildOperation,
        };

    public static void Validate(ISpaceProvider provider, ISearchSpace space, string source, NetworkShape probe)
    {
        string who = $"Search space '{provider.Name}' ({source})";
        if (space.Name != provider.Name)
            throw new NasException($"{who}: its space is named '{space.Name}', not '{provider.Name}'.");
        Architecture sample;
        try
        {
            sample = space.Sample(new Random(0));
        }
        catch (Exception e)
        {
            throw new NasException($"{who}: sampling an architecture failed: {e.GetType().Name}: {e.Message}");
        }
        if (sample is null || !space.Contains(sample))
            throw new NasException($"{who}: a sampled architecture ('{sample?.Key}') is not in the space.");
        Architecture parsed;
        try
        {
            parsed = space.Parse(sample.Key);
        }
        catch (Exception e)
        {
            throw new NasException(
                $"{who}: the architecture string '{sample.Key}' does not parse in its own space: {e.Message}"
            );
        }
        if (parsed != sample)
            throw new NasException($"{who}: '{sample.Key}' parses back as '{parsed.Key}'.");
        int expected = space.ChoiceCount * space.Operations.Count;
        float[] encoding;
        try
        {
            encoding = space.Encode(sample);
        }
        catch (Exception e)
        {
            throw new NasException($"{who}: encoding '{sample.Key}' failed: {e.GetType().Name}: {e.Message}");
        }
        if (encoding.Length != expected)
            throw new NasException(
                $"{who}: the encoding of '{sample.Key}' has {encoding.Length} values, not ChoiceCount × Operations.Count = {expected}."
            );
        CheckNetwork(provider, sample, who, probe);
    }

    private static void CheckNetwork(ISpaceProvider provider, Architecture sample, string who, NetworkShape probe)
    {
        TorchRuntime.EnsureLoaded();
        try
        {
            using var scope = NewDisposeScope();
            using var network = provider.BuildNetwork(sample, probe);
            network.eval();
            using var _ = no_grad();
            var logits = network.call(zeros(1, probe.InputChannels, probe.ImageSize, probe.ImageSize));
            if (!logits.shape.SequenceEqual([1L, probe.Classes]))
                throw new NasException(
                    $"{who}: the network of '{sample.Key}' gives outputs of shape [{string.Join(", ", logits.shape)}] for one image, not [1, {probe.Classes}]."
                );
        }
        catch (NasException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new NasException(
                $"{who}: building or running the network of '{sample.Key}' failed: {e.GetType().Name}: {e.Message}"
            );
        }
    }
}
