namespace Nas.Sandbox.Strategies.Gradient;

/// <summary>
/// The weights' learning rate by epoch, as NAS-Bench-201's <c>CosineAnnealingLR</c> (lib/procedures/optimizers.py) sets
/// it at the start of each search epoch: <c>min + (max − min)(1 + cos(π·epoch/epochs))/2</c>, then <c>min</c> from epoch
/// <paramref name="Epochs"/> on. It does not change within an epoch.
/// </summary>
public sealed record CosineSchedule(double Max, double Min, int Epochs)
{
    public double At(int epoch) =>
        epoch >= Epochs ? Min : Min + (Max - Min) * (1 + Math.Cos(Math.PI * epoch / Epochs)) / 2;
}

/// <summary>
/// GDAS's Gumbel-softmax temperature by epoch, as NAS-Bench-201's GDAS.py sets it at the start of each search epoch:
/// <c>max − (max − min)·epoch/(epochs − 1)</c>, so the last epoch of the search runs at <paramref name="Min"/>; it stays
/// there if the search goes on.
/// </summary>
public sealed record TemperatureSchedule(double Max, double Min, int Epochs)
{
    public double At(int epoch) => epoch >= Epochs - 1 ? Min : Max - (Max - Min) * epoch / (Epochs - 1);
}
