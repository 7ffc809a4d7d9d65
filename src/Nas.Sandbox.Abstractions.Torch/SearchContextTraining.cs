namespace Nas.Sandbox.Abstractions;

/// <summary>
/// <c>context.Training</c>: the race's training kit as an <see cref="ITrainingKit"/> (tensors and modules). The kit is
/// carried by <see cref="SearchContext.TrainingSetup"/>, typed torch-free so that Nas.Sandbox.Abstractions needs no
/// TorchSharp; this extension property, in the tensor-based contracts, gives strategies that train weights the whole
/// kit under the name API 1.x had, so their code compiles unchanged. (API 2.0.)
/// </summary>
public static class SearchContextTraining
{
    extension(SearchContext context)
    {
        /// <summary>
        /// The race's training data and building blocks, for strategies that train weights (DARTS, GDAS); null when the
        /// race has none. Touching it makes the referee charge the call's wall time to this contestant's seconds.
        /// </summary>
        public ITrainingKit? Training => context.TrainingSetup as ITrainingKit;
    }
}
