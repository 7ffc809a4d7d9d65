using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

/// <summary>
/// What the tests of the spaces beyond NB201's cells share: a host of the built-ins (no user plugins or scripts), the
/// Fashion-MNIST subset as a dataset option, a network shape for it, and the moves every space promises.
/// </summary>
internal static class SpaceTestKit
{
    public static string Dataset => "fashion-mnist:" + TestData.FashionMnistSubsetDirectory;

    public static SandboxHost Host() => SandboxHost.Create(typeof(SpaceTestKit).Assembly, [], [], lazyScripts: true);

    /// <summary>One-channel 28×28 images in ten classes, operations built from <paramref name="operations"/> (the default registry).</summary>
    public static NetworkShape Shape(int channels, OperationRegistry? operations = null)
    {
        var registry = operations ?? OperationRegistry.CreateDefault();
        return new NetworkShape
        {
            InputChannels = 1,
            ImageSize = 28,
            Classes = 10,
            Channels = channels,
            CellsPerStage = 5,
            BuildOperation = (name, i, o, s) => registry.Get(name).Build(i, o, s),
        };
    }

    /// <summary>
    /// From a sampled centre: its neighbours are every other choice at every position (each one position away, none
    /// twice); <paramref name="mutations"/> mutations each change exactly one position, and each crossover of the centre
    /// with a mutant is in the space and takes every position from one of the two.
    /// </summary>
    public static void MovesStayInTheSpaceAndChangeWhatTheyPromise(ISearchSpace space, int mutations)
    {
        var random = new Random(4);
        var center = space.Sample(random);
        var neighbours = space.Neighbours(center);
        neighbours
            .Should()
            .HaveCount(space.ChoiceCount * (space.Operations.Count - 1))
            .And.OnlyHaveUniqueItems()
            .And.OnlyContain(n => StrategyTestKit.Distance(n, center) == 1 && space.Contains(n));
        for (int i = 0; i < mutations; i++)
        {
            var child = space.Mutate(center, random);
            StrategyTestKit.Distance(child, center).Should().Be(1, "a mutation changes exactly one position");
            var cross = space.Crossover(center, child, random);
            space.Contains(cross).Should().BeTrue();
            cross
                .Choices.Select((c, j) => c == center.Choices[j] || c == child.Choices[j])
                .Should()
                .OnlyContain(b => b, "a crossover takes each position from a parent");
        }
    }
}

/// <summary>One host of the built-ins for a test class whose tests only read it (spaces, operations, estimators).</summary>
public sealed class BuiltInHostFixture : IDisposable
{
    public SandboxHost Host { get; } = SpaceTestKit.Host();

    public void Dispose() => Host.Dispose();
}
