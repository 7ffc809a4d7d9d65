namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al., 2017; MIT licence): 28×28 grey images of 10 clothing classes, 60,000 for training and
/// 10,000 for test, as four gzip IDX files. Debian ships them in the package <see cref="DebianPackage"/> under
/// <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    public const string DebianPackage = "dataset-fashion-mnist";
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const string TrainImages = "train-images-idx3-ubyte.gz",
        TrainLabels = "train-labels-idx1-ubyte.gz";
    public const string TestImages = "t10k-images-idx3-ubyte.gz",
        TestLabels = "t10k-labels-idx1-ubyte.gz";

    // Mean and standard deviation of pixel/255 over the 60,000 training images.
    private static readonly float[] Mean = [0.2860f],
        Std = [0.3530f];

    public static DatasetBundle Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        string[] files = [TrainImages, TrainLabels, TestImages, TestLabels];
        var missing = files.Where(f => !File.Exists(Path.Combine(directory, f))).ToArray();
        if (missing.Length > 0)
            throw new NasException(
                $"Fashion-MNIST not found: {string.Join(", ", missing.Select(f => Path.Combine(directory, f)))} missing. "
                    + $"Install the Debian package '{DebianPackage}' (apt-get install -y {DebianPackage}), which puts it in "
                    + $"{DefaultDirectory}, or give another folder with --dataset fashion-mnist:DIR."
            );
        return new DatasetBundle(
            "fashion-mnist",
            Read(directory, TrainImages, TrainLabels, "fashion-mnist train"),
            Read(directory, TestImages, TestLabels, "fashion-mnist test")
        );
    }

    private static ImageDataset Read(string directory, string imagesFile, string labelsFile, string name)
    {
        string imagesPath = Path.Combine(directory, imagesFile),
            labelsPath = Path.Combine(directory, labelsFile);
        IdxArray images = IdxFile.Read(imagesPath),
            labels = IdxFile.Read(labelsPath);
        if (images.Shape.Length != 3)
            throw new NasException(
                $"{imagesPath}: expected 3 dimensions (count, rows, columns), found {images.Shape.Length}."
            );
        if (labels.Shape.Length != 1)
            throw new NasException($"{labelsPath}: expected 1 dimension (count), found {labels.Shape.Length}.");
        if (images.Count != labels.Count)
            throw new NasException(
                $"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels."
            );
        return new ImageDataset(name, images.Data, labels.Data, 1, images.Shape[1], images.Shape[2], 10, Mean, Std);
    }
}
