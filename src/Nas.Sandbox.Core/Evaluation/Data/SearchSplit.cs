using Nas.Sandbox.Core.Estimators;

namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>
/// Which images a heat trains and validates on: the official training set split by the heat's data seed, then the
/// first <see cref="TrainingSettings.TrainingImages"/> of search-train and <see cref="TrainingSettings.ValidationImages"/>
/// of search-validation. The training estimator and the strategies' training kit both take their images from here, so
/// they always see the same ones.
/// </summary>
public static class SearchSplit
{
    public static (int[] Train, int[] Validation) Indices(ImageDataset train, TrainingSettings settings, long dataSeed)
    {
        var split = DataSplit.Create(train.Count, (int)Math.Round(train.Count * settings.ValidationShare), dataSeed);
        return (
            split.SearchTrain[..Math.Min(settings.TrainingImages, split.SearchTrain.Length)],
            split.SearchValidation[..Math.Min(settings.ValidationImages, split.SearchValidation.Length)]
        );
    }
}
