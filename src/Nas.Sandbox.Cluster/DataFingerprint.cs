using System.Security.Cryptography;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Data;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// Data sets and tables on workers are named and checked by SHA-256, not trusted by path: the race hashes what it
/// would read, and a worker uses a copy of its own only when the hash is the same.
/// </summary>
public static class DataFingerprint
{
    /// <summary>The SHA-256 (hex) of a file.</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The folder a dataset option (<c>fashion-mnist</c> or <c>fashion-mnist:DIR</c>) reads.</summary>
    public static string DatasetFolder(string dataset)
    {
        int colon = dataset.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? FashionMnist.DefaultDirectory : Path.GetFullPath(dataset[(colon + 1)..]);
    }

    /// <summary>One hash over the dataset's four files, in a fixed order; null when any is missing.</summary>
    public static string? OfDataset(string folder)
    {
        string[] files =
        [
            FashionMnist.TrainImages,
            FashionMnist.TrainLabels,
            FashionMnist.TestImages,
            FashionMnist.TestLabels,
        ];
        if (!files.All(f => File.Exists(Path.Combine(folder, f))))
            return null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
            hash.AppendData(Convert.FromHexString(OfFile(Path.Combine(folder, file))));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The race's side: the hash of the dataset it names, or a clear error when it cannot read it.</summary>
    public static string RequireDataset(string dataset) =>
        OfDataset(DatasetFolder(dataset))
        ?? throw new NasException(
            $"--dataset {dataset}: the files are not in {DatasetFolder(dataset)}, so there is nothing to check workers' copies against."
        );
}
