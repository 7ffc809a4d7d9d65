namespace Nas.Sandbox.Core.Evaluation.Data;

/// <summary>
/// Indices of the official training set split by a seed into search-train and search-validation. The same seed gives
/// the same split, so every contestant of a heat trains and validates on the same images.
/// </summary>
public sealed record DataSplit(int[] SearchTrain, int[] SearchValidation)
{
    /// <summary>A seeded shuffle of <paramref name="count"/> indices: the first <paramref name="validationCount"/> validate.</summary>
    public static DataSplit Create(int count, int validationCount, long seed)
    {
        if (validationCount <= 0 || validationCount >= count)
            throw new NasException($"validation size must be between 1 and {count - 1}, not {validationCount}.");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(SeedMixer.ToInt32(seed)).Shuffle(order);
        return new DataSplit(order[validationCount..], order[..validationCount]);
    }
}
