using Nas.Sandbox.Core.Evaluation.Data;

namespace Nas.Sandbox.Tests;

/// <summary>The committed Fashion-MNIST subset (tests/data), loaded once per test run (read-only afterwards).</summary>
public static class TestData
{
    public static string FashionMnistSubsetDirectory =>
        Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    private static readonly Lazy<DatasetBundle> Subset = new(() => FashionMnist.Load(FashionMnistSubsetDirectory));

    public static DatasetBundle FashionMnistSubset => Subset.Value;
}
