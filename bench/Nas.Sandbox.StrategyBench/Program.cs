using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.StrategyBench;

/// <summary>
/// How long each strategy's Ask takes once it has been told N trials (default 1,000; random NB201 cells, accuracies
/// from a fixed formula): the strategy's own overhead per evaluation, apart from any estimator. Median, 90th percentile
/// and mean of M asks (default 300; each followed by its Tell, so the history grows from N to N + M − 1). The 50
/// warm-up asks (JIT, caches) are made by a throwaway instance told the same N trials, so the measured asks start at
/// exactly N. The mean matters for strategies that do their work once per batch of asks (BANANAS retrains its ensemble
/// every 10th ask). Arguments: <c>--history N</c>, <c>--measured M</c>, then strategy names to measure (default: all).
/// </summary>
public static class Program
{
    private const int WarmUp = 50;
    private static int _history = 1000,
        _measured = 300;

    public static int Main(string[] arguments)
    {
        var names = new List<string>();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (arguments[i] is "--history" or "--measured")
            {
                if (i + 1 >= arguments.Length || !int.TryParse(arguments[i + 1], out int value) || value < 1)
                {
                    Console.Error.WriteLine($"error: {arguments[i]} needs a positive integer");
                    return 1;
                }
                if (arguments[i++] == "--history")
                    _history = value;
                else
                    _measured = value;
            }
            else
                names.Add(arguments[i]);
        }
        using var host = SandboxHost.Create(typeof(Program).Assembly);
        var space = new Nb201Space();
        Console.WriteLine(
            $"per-Ask time with {_history} trials of history, NB201 ({space.Size:N0} cells); median, p90 and mean of {_measured} asks"
        );
        Console.WriteLine($"{"strategy", -24} {"source", -14} {"median µs", 10} {"p90 µs", 10} {"mean µs", 10}");
        foreach (
            var entry in host
                .Strategies.All.Where(e => names.Count == 0 || names.Contains(e.Name))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
        )
        {
            var times = new List<double>();
            var warmUp = Told(entry, space);
            for (int index = _history; index < _history + WarmUp; index++)
            {
                var context = Context(space, entry.Name, index);
                try
                {
                    warmUp.Tell(Told(index, warmUp.Ask(context)));
                }
                catch (InvalidOperationException) when (index == _history)
                {
                    break; // reported by the measured instance below
                }
            }
            var strategy = Told(entry, space);
            for (int index = _history; index < _history + _measured; index++)
            {
                var context = Context(space, entry.Name, index);
                long start = Stopwatch.GetTimestamp();
                Architecture architecture;
                try
                {
                    architecture = strategy.Ask(context);
                }
                catch (InvalidOperationException e) when (index == _history)
                {
                    // DARTS and GDAS need the race's training data: their per-Ask cost is supernet training, which
                    // Nas.Sandbox.GradientBench measures.
                    Console.WriteLine(
                        $"{entry.Name, -24} {entry.Source.Kind, -14} not measured: {e.Message.Split(':')[0]}"
                    );
                    break;
                }
                double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                times.Add(micros);
                strategy.Tell(Told(index, architecture));
            }
            if (times.Count == 0)
                continue;
            double mean = times.Average();
            times.Sort();
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{entry.Name, -24} {entry.Source.Kind, -14} {times[times.Count / 2], 10:0.0} {times[(int)(times.Count * 0.9)], 10:0.0} {mean, 10:0.0}"
                )
            );
        }
        return 0;
    }

    /// <summary>
    /// A new instance told the history. It is told, not asked: strategies that search expensively per ask (BANANAS)
    /// would otherwise spend minutes building it. Every strategy gets the same random cells.
    /// </summary>
    private static IStrategy Told(StrategyEntry entry, Nb201Space space)
    {
        var strategy = entry.Factory.Create(KnobValues.Create(entry.Name, entry.Factory.Knobs));
        var sampler = new Random(1);
        for (int index = 0; index < _history; index++)
            strategy.Tell(Told(index, space.Sample(sampler)));
        return strategy;
    }

    private static SearchContext Context(Nb201Space space, string name, int index) =>
        new()
        {
            Space = space,
            Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(1, name, index))),
            AskIndex = index,
            EvaluationBudget = _history + _measured,
            EvaluationsUsed = index,
        };

    private static Trial Told(int index, Architecture architecture)
    {
        double accuracy =
            0.1
            + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0
            + (architecture.Key.Length % 17) / 1000.0;
        return new Trial
        {
            Index = index,
            Architecture = architecture,
            Status = TrialStatus.Ok,
            Metrics = new Metrics { ValidationAccuracy = accuracy },
            CostSeconds = 1,
            Objective = accuracy, // as the referee sets it in an accuracy race: strategies rank by it
        };
    }
}
