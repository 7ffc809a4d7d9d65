using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Strategies.MultiFidelity;

/// <summary>
/// BOHB (Falkner, Klein &amp; Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization at Scale", ICML 2018):
/// Hyperband's brackets and promotions (see <see cref="HyperbandFactory"/>), with new architectures drawn from a
/// TPE-style density model instead of uniformly (the paper's Algorithm 2). An architecture is coded as one category per
/// choice of the space (its one-hot encoding, <see cref="ISearchSpace.Encode"/>, read back block by block: 6 choices of
/// 5 operations for an NB201 cell), d = the number of choices. Observations D_b are the trials of a rung that have come
/// back, ranked by <see cref="Trial.Objective"/> (failed, diverged and timed-out ones last, as BOHB's code gives a
/// crashed run an infinite loss). When a new architecture is needed: with probability <c>random-fraction</c> it is
/// uniform; else the model is fitted on the highest rung with at least N_min + 2 observations (none: uniform), the good
/// set l being its best max(N_min, ⌊q·N_b⌋) and the bad set g its worst max(N_min, N_b − |l|) (they overlap while N_b is
/// small, as in the paper), each a product of Aitchison–Aitken kernels (<see cref="CategoricalKde"/>);
/// <c>samples</c> candidates are drawn from l with bandwidths widened by <c>bandwidth-factor</c>, and the one with the
/// largest l(x)/g(x) is asked.
/// Knobs: <c>eta</c> (auto: round(F[1]/F[0]) of the ladder, at least 2), <c>min-points</c> N_min (auto: d + 1, as BOHB's
/// code), <c>top-fraction</c> q (0.15), <c>samples</c> (64), <c>random-fraction</c> (1/3), <c>bandwidth-factor</c> (3),
/// <c>min-bandwidth</c> (0.001): the paper's defaults.
/// <para>What differs from the paper and its code (HpBandSter): the brackets are Hyperband's paper's,
/// n = ⌈(s_max + 1)·η^s/(s + 1)⌉, where HpBandSter floors, ⌊(s_max + 1)/(s + 1)⌋·η^s (5 → 1 rather than 3 → 1 in the
/// middle bracket on 1, 3, 9); the space is categorical only, so the kernel's
/// bandwidths are chosen per choice by leave-one-out maximum likelihood, not by the normal-reference rule statsmodels
/// applies to the category codes (which depends on the arbitrary order of the codes and can leave the kernel's range,
/// where it prefers the other categories), and the kernel knows the space's operations (statsmodels counts the
/// categories present in the data); the bandwidth factor widens categorical bandwidths too, up to uniform (the paper
/// widens all, the code only continuous ones); candidates already asked (told or in flight) are skipped, and if all are,
/// a new uniform architecture is asked. With trials in flight (<see cref="IParallelStrategy"/>) it runs as Hyperband:
/// synchronous brackets, the next one started while the current one waits, which is the paper's parallel scheme; the
/// model learns from the trials that have come back. Without a ladder of two rungs or more
/// (<see cref="SearchContext.Fidelities"/>), it is random search at the race's fidelity.
/// In a race budgeted in epochs (<see cref="SearchContext.EpochBudget"/>), brackets are fitted into the budget so that
/// the last one still reaches the top rung (<see cref="BracketBudget"/>).</para>
/// </summary>
public sealed class BohbFactory : IStrategyFactory
{
    public string Name => "bohb";
    public string Description =>
        "Hyperband whose new architectures come from a TPE-style kernel density model (Falkner et al. 2018).";
    public IReadOnlyList<Knob> Knobs { get; } =
    [
        MultiFidelityKnobs.Eta(),
        new("min-points", MultiFidelityKnobs.Auto, "N_min: fewest points of a density (auto: d + 1, d choices)"),
        new("top-fraction", "0.15", "q: the best fraction of a rung's trials that makes the good density l(x)"),
        new("samples", "64", "candidates drawn from l(x); the one with the largest l(x)/g(x) is asked"),
        new("random-fraction", "0.333333", "share of new architectures drawn uniformly instead (1/3)"),
        new("bandwidth-factor", "3", "widens the bandwidths of l(x) when drawing candidates"),
        new("min-bandwidth", "0.001", "smallest bandwidth of a kernel, so a choice all good points share still varies"),
    ];

    public IStrategy Create(KnobValues knobs) =>
        new Bohb(
            knobs.GetAutoInt("eta", min: 2, max: 1_000),
            new BohbSettings
            {
                MinPoints = knobs.GetAutoInt("min-points", min: 1, max: 100_000),
                TopFraction = knobs.GetDouble("top-fraction", min: 0, max: 1),
                Samples = knobs.GetInt("samples", min: 1, max: 100_000),
                RandomFraction = knobs.GetDouble("random-fraction", min: 0, max: 1),
                BandwidthFactor = knobs.GetDouble("bandwidth-factor", min: 0, max: 1_000),
                MinBandwidth = knobs.GetDouble("min-bandwidth", min: 0, max: 1),
            }
        );
}

/// <summary>BOHB's knobs (see <see cref="BohbFactory"/>).</summary>
public sealed record BohbSettings
{
    /// <summary>N_min; null: d + 1.</summary>
    public int? MinPoints { get; init; }
    public double TopFraction { get; init; } = 0.15;
    public int Samples { get; init; } = 64;
    public double RandomFraction { get; init; } = 1.0 / 3;
    public double BandwidthFactor { get; init; } = 3;
    public double MinBandwidth { get; init; } = 1e-3;
}

public sealed class Bohb(int? eta, BohbSettings settings) : MultiFidelityStrategy(eta)
{
    private protected override TrialAsk Ask(SearchContext context, Ladder ladder, IReadOnlyList<Entry> entries) =>
        Brackets.Next(
            entries,
            BracketBudget.Fit(b => Hyperband.Shape(ladder, b), context.EpochBudget, context.Fidelities, ladder),
            _ => Draw(context, entries)
        );

    private Architecture Draw(SearchContext context, IReadOnlyList<Entry> entries)
    {
        if (context.Random.NextDouble() < settings.RandomFraction)
            return Fresh.Distinct(context, entries);
        var space = context.Space;
        var model = Fit(space, entries);
        if (model is null)
            return Fresh.Distinct(context, entries);
        var (good, bad) = model.Value;
        var asked = entries.Select(e => e.Architecture).ToHashSet();
        Architecture? best = null;
        double bestScore = double.NegativeInfinity;
        for (int i = 0; i < settings.Samples; i++)
        {
            var candidate = CategoryCodes.Decode(space, good.Sample(context.Random, settings.BandwidthFactor));
            if (asked.Contains(candidate) || !space.Contains(candidate))
                continue;
            var codes = CategoryCodes.Of(space, candidate);
            double score =
                Math.Log(Math.Max(good.Density(codes), 1e-32)) - Math.Log(Math.Max(bad.Density(codes), 1e-32));
            if (score > bestScore)
                (best, bestScore) = (candidate, score);
        }
        return best ?? Fresh.Distinct(context, entries);
    }

    /// <summary>The good and bad densities of the highest rung with enough observations; null when none has.</summary>
    private (CategoricalKde Good, CategoricalKde Bad)? Fit(ISearchSpace space, IReadOnlyList<Entry> entries)
    {
        int minPoints = settings.MinPoints ?? space.ChoiceCount + 1;
        var byRung = entries.Where(e => e.Finished).GroupBy(e => e.Rung).OrderByDescending(g => g.Key);
        foreach (var rung in byRung)
        {
            var ranked = Ledger.Ranked(rung).ToList();
            int n = ranked.Count;
            if (n < minPoints + 2)
                continue;
            int goodCount = Math.Max(minPoints, (int)Math.Floor(settings.TopFraction * n));
            int badCount = Math.Max(minPoints, n - goodCount);
            int levels = space.Operations.Count;
            var good = ranked.Take(goodCount).Select(e => CategoryCodes.Of(space, e.Architecture)).ToList();
            var bad = ranked.Skip(n - badCount).Select(e => CategoryCodes.Of(space, e.Architecture)).ToList();
            return (
                new CategoricalKde(good, levels, settings.MinBandwidth),
                new CategoricalKde(bad, levels, settings.MinBandwidth)
            );
        }
        return null;
    }
}
