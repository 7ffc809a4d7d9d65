namespace Nas.Sandbox.Abstractions;

/// <summary>
/// Normally distributed samples from a <see cref="Random"/>, for strategies that perturb weights or draw from a
/// posterior. One Box–Muller draw per call (two uniforms, the cosine branch): deterministic for a seeded
/// <see cref="Random"/>, which is what reproducible heats need. (API 1.2.)
/// </summary>
public static class Gaussian
{
    /// <summary>A standard normal sample (mean 0, standard deviation 1); consumes two <see cref="Random.NextDouble"/> values.</summary>
    public static double NextGaussian(this Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        // 1 - u lies in (0, 1], so the logarithm is finite.
        double u1 = 1 - random.NextDouble(),
            u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A normal sample with mean <paramref name="mean"/> and standard deviation <paramref name="standardDeviation"/> (≥ 0).</summary>
    public static double NextGaussian(this Random random, double mean, double standardDeviation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(standardDeviation);
        return mean + standardDeviation * random.NextGaussian();
    }
}
