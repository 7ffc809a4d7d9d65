using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.StrategyBench;

/// <summary>
/// How long each strategy's Ask takes once it has been told 1,000 trials (NB201's full space, accuracies from a fixed
/// formula): the strategy's own overhead per evaluation, apart from any estimator. Median and 90th percentile of 300
/// asks (each followed by its Tell, so the history keeps growing), after 50 warm-up asks.
/// </summary>
public static class Program
{
    private const int History = 1000, WarmUp = 50, Measured = 300;

    public static int Main()
    {
        using var host = SandboxHost.Create(typeof(Program).Assembly);
        var space = new Nb201Space();
        Console.WriteLine($"per-Ask time with {History} trials of history, NB201 ({space.Size:N0} cells); median and p90 of {Measured} asks");
        Console.WriteLine($"{"strategy",-24} {"source",-14} {"median µs",10} {"p90 µs",10}");
        foreach (var entry in host.Strategies.All.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var strategy = entry.Factory.Create(KnobValues.Create(entry.Name, entry.Factory.Knobs));
            var times = new List<double>();
            for (int index = 0; index < History + WarmUp + Measured; index++)
            {
                var context = new SearchContext
                {
                    Space = space, Random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(1, entry.Name, index))), AskIndex = index,
                    EvaluationBudget = History + WarmUp + Measured, EvaluationsUsed = index,
                };
                long start = Stopwatch.GetTimestamp();
                var architecture = strategy.Ask(context);
                double micros = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (index >= History + WarmUp) times.Add(micros);
                double accuracy = 0.1 + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0 + (architecture.Key.Length % 17) / 1000.0;
                strategy.Tell(new Trial
                {
                    Index = index, Architecture = architecture, Status = TrialStatus.Ok,
                    Metrics = new Metrics { ValidationAccuracy = accuracy }, CostSeconds = 1,
                    Objective = accuracy, // as the referee sets it in an accuracy race: strategies rank by it
                });
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{entry.Name,-24} {entry.Source.Kind,-14} {times[times.Count / 2],10:0.0} {times[(int)(times.Count * 0.9)],10:0.0}"));
        }
        return 0;
    }
}
