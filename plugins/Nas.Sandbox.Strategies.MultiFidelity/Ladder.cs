using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// The race's fidelity ladder (<see cref="SearchContext.Fidelities"/>) as these strategies read it: how many rungs
/// there are and the reduction factor η between them.
/// </summary>
internal readonly record struct Ladder(int Rungs, int Eta)
{
    /// <summary>The top rung's index: the race's full fidelity.</summary>
    public int Top => Rungs - 1;

    /// <summary>
    /// False with 0 rungs (an estimator that does not train) or 1 (a race without <c>--fidelities</c>): there is nothing
    /// to schedule, and the strategies search at random at the race's fidelity.
    /// </summary>
    public bool HasRungs => Rungs >= 2;

    /// <summary>The ladder of <paramref name="context"/>, with η given by a knob or derived from its first two rungs.</summary>
    public static Ladder Of(SearchContext context, int? eta) =>
        new(context.Fidelities.Count, eta ?? DerivedEta(context.Fidelities));

    /// <summary>
    /// round(F[1]/F[0]), at least 2: the ratio of the first two rungs, which is η itself on a geometric ladder such as
    /// 1, 3, 9. Fixed for a heat, since the ladder is.
    /// </summary>
    public static int DerivedEta(IReadOnlyList<int> fidelities)
    {
        if (fidelities.Count < 2)
            return 2;
        double ratio = fidelities[1] / (double)Math.Max(1, fidelities[0]);
        return (int)Math.Clamp(Math.Round(ratio, MidpointRounding.AwayFromZero), 2, 1_000);
    }

    /// <summary>The rung a trial ran at: null means the top rung (a trial asked without one runs at the race's fidelity).</summary>
    public int RungOf(int? rung) => Math.Clamp(rung ?? Top, 0, Math.Max(0, Top));

    /// <summary>η^<paramref name="power"/>, saturating far above any bracket size instead of overflowing.</summary>
    public long EtaPower(int power)
    {
        long result = 1;
        for (int i = 0; i < power && result < 1L << 40; i++)
            result *= Eta;
        return result;
    }
}

/// <summary>Reading the knobs these strategies share.</summary>
internal static class MultiFidelityKnobs
{
    public const string Auto = "auto";

    /// <summary>An integer knob whose default, <c>auto</c>, is worked out from the ladder at each ask (null here).</summary>
    public static int? GetAutoInt(this KnobValues knobs, string name, int min, int max = int.MaxValue) =>
        string.Equals(knobs.GetString(name), Auto, StringComparison.OrdinalIgnoreCase)
            ? null
            : knobs.GetInt(name, min, max);

    public static Knob Eta() =>
        new(
            "eta",
            Auto,
            "reduction factor η: 1/η of a rung goes on to the next (auto: round(F[1]/F[0]) of the ladder, at least 2)"
        );
}
