using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.StrategyBench;

/// <summary>
/// How long each strategy's Ask takes once it has been told 1,000 trials (random NB201 cells, accuracies from a fixed
/// formula): the strategy's own overhead per evaluation, apart from any estimator. Median, 90th percentile and mean of
/// 300 asks (each followed by its Tell, so the history keeps growing), after 50 warm-up asks. The mean matters for
/// strategies that do their work once per batch of asks (BANANAS retrains its ensemble every 10th ask).
/// Arguments: strategy names to measure (default: all).
/// </summary>
public static class Program
{
    private const int History = 1000,
        WarmUp = 50,
        Measured = 300;

    public static int Main(string[] names)
    {
        using var host = SandboxHost.Create(typeof(Program).Assembly);
        var space = new Nb201Space();
        Console.WriteLine(
            $"per-Ask time with {History} trials of history, NB201 ({space.Size:N0} cells); median, p90 and mean of {Measured} asks"
        );
        Console.WriteLine($"{"strategy", -24} {"source", -14} {"median µs", 10} {"p90 µs", 10} {"mean µs", 10}");
        foreach (
            var entry in host
                .Strategies.All.Where(e => names.Length == 0 || names.Contains(e.Name))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
        )
        {
            var strategy = entry.Factory.Create(KnobValues.Create(entry.Name, entry.Factory.Knobs));
            var times = new List<double>();
            // The history is told, not asked: strategies that search expensively per ask (BANANAS) would otherwise
            // spend minutes building it. Every strategy gets the same 1,000 random cells.
            var sampler = new Random(1);
            for (int index = 0; index < History; index++)
                strategy.Tell(Told(index, space.Sample(sampler)));
            for (int index = History; index < History + WarmUp + Measured; index++)
            {
                var context = new SearchContext
                {
                    Space = space,
                    Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(1, entry.Name, index))),
                    AskIndex = index,
                    EvaluationBudget = History + WarmUp + Measured,
                    EvaluationsUsed = index,
                };
                long start = Stopwatch.GetTimestamp();
                Architecture architecture;
                try
                {
                    architecture = strategy.Ask(context);
                }
                catch (InvalidOperationException e) when (index == History)
                {
                    // DARTS and GDAS need the race's training data: their per-Ask cost is supernet training, which
                    // Nas.Sandbox.GradientBench measures.
                    Console.WriteLine(
                        $"{entry.Name, -24} {entry.Source.Kind, -14} not measured: {e.Message.Split(':')[0]}"
                    );
                    break;
                }
                double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (index >= History + WarmUp)
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
