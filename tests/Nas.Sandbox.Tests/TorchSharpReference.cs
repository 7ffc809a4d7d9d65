using System.Runtime;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Runs TorchSharp's own code where a test compares the product's held-Scalar replacements with it (its SGD, Adam,
/// BatchNorm2d and <c>a + b</c>), with no garbage collection allowed meanwhile. That code hands libtorch Scalars that
/// nothing holds (<see cref="ImplicitScalarCalls"/>): a collection during one of its native calls can free the Scalar
/// libtorch is reading and kill the test host without a word, taking the whole run with it. Without a collection, no
/// finalizer can free a Scalar made inside; the other tests running meanwhile allocate freely up to the budget, and a
/// collection past it (or one a test asks for) ends the guard early rather than failing anything.
/// </summary>
internal static class TorchSharpReference
{
    /// <summary>What the whole process may allocate before a collection ends the guard.</summary>
    private const long AllocationBudget = 256L << 20;

    /// <summary>One guard at a time: the runtime refuses a second no-collection region while one is open.</summary>
    private static readonly Lock OneAtATime = new();

    public static T Run<T>(Func<T> torchSharpsOwn)
    {
        lock (OneAtATime)
        {
            bool guarded = GC.TryStartNoGCRegion(AllocationBudget);
            try
            {
                return torchSharpsOwn();
            }
            finally
            {
                if (guarded && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                    GC.EndNoGCRegion();
            }
        }
    }
}
