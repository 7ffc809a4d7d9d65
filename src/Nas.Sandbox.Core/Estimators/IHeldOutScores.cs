namespace Nas.Sandbox.Core.Estimators;

/// <summary>
/// An estimator that also knows held-out test accuracy (a tabular benchmark). Only the race's summary asks it, for
/// the architecture each contestant would pick by validation; strategies never see it.
/// </summary>
public interface IHeldOutScores
{
    /// <summary>Test accuracy (fraction) of the architecture with this key, or null when unknown.</summary>
    double? TestAccuracy(string architectureKey);
}
