using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Drives the built-in strategies as the referee does, through the plugin loader (no reference to a plugin assembly):
/// an instance made by its factory, asked with a <see cref="SearchContext"/>, told <see cref="Trial"/>s. A strategy's
/// state is a function of the trials it is told (the replay contract), so a test may tell it a history of its choosing.
/// </summary>
internal static class StrategyTestKit
{
    private static readonly Lazy<SandboxHost> Host = new(() => SandboxHost.Create(typeof(StrategyTestKit).Assembly));

    public static StrategyCatalog Strategies => Host.Value.Strategies;

    public static IStrategy Create(string strategy, params (string Knob, string Value)[] knobs)
    {
        var entry = Strategies.Get(strategy);
        return entry.Factory.Create(
            KnobValues.Create(entry.Name, entry.Factory.Knobs, knobs.ToDictionary(k => k.Knob, k => k.Value))
        );
    }

    public static SearchContext Context(ISearchSpace space, int askIndex, Random random) =>
        new()
        {
            Space = space,
            Random = random,
            AskIndex = askIndex,
        };

    public static Trial Ok(
        int index,
        Architecture architecture,
        double objective,
        IReadOnlyList<double>? objectives = null
    ) =>
        new()
        {
            Index = index,
            Architecture = architecture,
            Status = TrialStatus.Ok,
            CostSeconds = 1,
            Objective = objective,
            Objectives = objectives,
            Metrics = new Metrics { ValidationAccuracy = objective },
        };

    public static Trial Failed(int index, Architecture architecture) =>
        new()
        {
            Index = index,
            Architecture = architecture,
            Status = TrialStatus.Failed,
            CostSeconds = 1,
            Metrics = new Metrics(),
            Message = "injected by the test",
        };

    /// <summary>The cell with <paramref name="operations"/>[(edge + <paramref name="shift"/>) mod count] on each edge.</summary>
    public static Architecture Cyclic(Nb201Space space, int shift) =>
        space.FromChoices(
            Enumerable
                .Range(0, Nb201Space.EdgeCount)
                .Select(e => space.Operations[(e + shift) % space.Operations.Count])
                .ToArray()
        );

    /// <summary>The cell with operation <paramref name="operation"/> (an index) on every edge.</summary>
    public static Architecture Uniform(Nb201Space space, int operation) =>
        space.FromChoices(Enumerable.Repeat(space.Operations[operation], Nb201Space.EdgeCount).ToArray());

    /// <summary>Edges on which two cells differ.</summary>
    public static int Distance(Architecture a, Architecture b) =>
        a.Choices.Zip(b.Choices).Count(p => p.First != p.Second);

    /// <summary>
    /// Cells of the default five-operation space at least 4 edges apart from one another (the uniform cells and the
    /// cyclic shifts of the operations), so a one-edge mutation of one of them is a neighbour of that one alone: a
    /// child names its parent.
    /// </summary>
    public static Architecture[] FarApart(Nb201Space space, int count)
    {
        var cells = Enumerable
            .Range(0, 5)
            .Select(i => Uniform(space, i))
            .Concat(Enumerable.Range(1, 4).Select(s => Cyclic(space, s)))
            .Take(count)
            .ToArray();
        if (cells.Length < count)
            throw new ArgumentOutOfRangeException(nameof(count), "at most 9 cells");
        for (int i = 0; i < cells.Length; i++)
        for (int j = i + 1; j < cells.Length; j++)
            if (Distance(cells[i], cells[j]) < 4)
                throw new InvalidOperationException($"{cells[i]} and {cells[j]} are too close");
        return cells;
    }

    /// <summary>A fixed pseudo-random score in [0.1, 0.9) per cell (FNV-1a of its key): a rugged landscape with distinct values.</summary>
    public static double HashScore(Architecture architecture)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in architecture.Key)
            hash = (hash ^ c) * 1099511628211;
        hash ^= hash >> 29;
        hash *= 0xbf58476d1ce4e5b9;
        hash ^= hash >> 32;
        return 0.1 + 0.8 * (hash >> 11) / (double)(1UL << 53);
    }

    /// <summary>
    /// Races one contestant on <paramref name="space"/> with an estimator scoring each cell by <paramref name="accuracy"/>
    /// and returns its trials per heat, in order, as the journal recorded them.
    /// </summary>
    public static async Task<List<Trial>[]> Race(
        ISearchSpace space,
        Func<Architecture, double> accuracy,
        string contestant,
        int budget,
        int heats,
        long seed
    )
    {
        var journal = new ListJournal();
        var referee = new Referee(space, new ScoreEstimator(accuracy), Strategies, journal);
        await referee.RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse(contestant)],
                Budget = budget,
                Heats = heats,
                Seed = seed,
                Estimator = "score",
                Space = space.Name,
            }
        );
        journal.Events.OfType<ContestantFailed>().Should().BeEmpty();
        return Enumerable
            .Range(0, heats)
            .Select(h => journal.Events.OfType<TrialFinished>().Where(t => t.Heat == h).Select(t => t.Trial).ToList())
            .ToArray();
    }

    private sealed class ScoreEstimator(Func<Architecture, double> accuracy) : IEstimator
    {
        public string Name => "score";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        ) =>
            Task.FromResult(
                new EvaluationResult
                {
                    Status = TrialStatus.Ok,
                    Metrics = new Metrics { ValidationAccuracy = accuracy(architecture) },
                    CostSeconds = 1,
                    Fidelity = request.Fidelity,
                }
            );
    }
}
