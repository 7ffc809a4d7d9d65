using Nas.Sandbox.Core.Evaluation.Data;

namespace Nas.Sandbox.Tests;

/// <summary>The committed Fashion-MNIST subset (tests/data), loaded once per test run (read-only afterwards).</summary>
public static class TestData
{
    public static string FashionMnistSubsetDirectory =>
        Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    /// <summary><c>nas race</c> fidelity options for a training race of a few seconds (on the subset, or any data set).</summary>
    public static readonly string[] TinyFidelity =
    [
        "--train-images",
        "200",
        "--validation-images",
        "100",
        "--channels",
        "8",
        "--batch-size",
        "50",
    ];

    private static readonly Lazy<DatasetBundle> Subset = new(() => FashionMnist.Load(FashionMnistSubsetDirectory));

    public static DatasetBundle FashionMnistSubset => Subset.Value;
}
