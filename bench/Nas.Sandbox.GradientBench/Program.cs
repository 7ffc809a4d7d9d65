using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing.Training;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.GradientBench;

/// <summary>
/// Seconds per supernet epoch of DARTS and GDAS on the default data and fidelity (TrainingSettings defaults: 5,000
/// search-train and 2,000 search-validation Fashion-MNIST images, C=8, 1 cell per stage, batch 64, NB201's five
/// operations). An epoch is one pass over the 5,000 training images: 79 rounds, each a weight step on a training batch
/// and an α step on a validation batch. The strategies are loaded from the built-in pack and driven through Ask, as a
/// race drives them, with steps-per-ask set to one epoch: the first Ask (build + one epoch) is the warm-up, the next
/// ones are timed. Memory (RSS) is printed after each epoch.
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: Nas.Sandbox.GradientBench [--epochs N (timed, default 3)] [--strategy darts|gdas (default both)] [--rounds N (per timed Ask, default one epoch)]";

    public static int Main(string[] args)
    {
        TorchRuntime.Configure();
        int epochs = 3;
        int? rounds = null;
        var strategies = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0:
                    epochs = e;
                    i++;
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0:
                    rounds = r;
                    i++;
                    break;
                case "--strategy" when i + 1 < args.Length:
                    strategies.Add(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (strategies.Count == 0)
            strategies.AddRange(["darts", "gdas"]);

        using var host = SandboxHost.Create(typeof(Program).Assembly);
        var settings = new TrainingSettings();
        using var data = new RaceTrainingData(() => FashionMnist.Load(), host.Operations, settings);
        int roundsPerEpoch = (settings.TrainingImages + settings.BatchSize - 1) / settings.BatchSize;
        int roundsPerAsk = rounds ?? roundsPerEpoch;
        var space = new Nb201Space();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"default fidelity: {settings.TrainingImages} training / {settings.ValidationImages} validation images, C={settings.Channels}, "
                    + $"{settings.CellsPerStage} cell/stage, batch {settings.BatchSize}; epoch = {roundsPerEpoch} rounds; torch threads {TorchSharp.torch.get_num_threads()}"
            )
        );
        foreach (string name in strategies)
        {
            var entry = host.Strategies.Get(name);
            var knobs = KnobValues.Create(
                entry.Name,
                entry.Factory.Knobs,
                new Dictionary<string, string>
                {
                    ["steps-per-ask"] = roundsPerAsk.ToString(CultureInfo.InvariantCulture),
                }
            );
            var kit = data.KitFor(dataSeed: 1, new Fidelity(), seed: SeedMixer.Derive(1, "weights", name));
            var strategy = entry.Factory.Create(knobs);
            var seconds = new List<double>();
            for (int epoch = 0; epoch <= epochs; epoch++)
            {
                var context = new SearchContext
                {
                    Space = space,
                    Random = new Random(epoch),
                    AskIndex = epoch,
                    TrainingSetup = kit,
                };
                double hostBefore = kit.HostSeconds;
                var clock = Stopwatch.StartNew();
                var proposal = strategy.Ask(context);
                // Loading the data is the host's; a shorter Ask (--rounds) is scaled to an epoch.
                double elapsed =
                    (clock.Elapsed.TotalSeconds - (kit.HostSeconds - hostBefore)) * roundsPerEpoch / roundsPerAsk;
                if (epoch > 0)
                    seconds.Add(elapsed);
                Console.WriteLine(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name} Ask {epoch + 1} ({roundsPerAsk} rounds){(epoch == 0 ? " (warm-up, includes the build)" : "")}: {elapsed:0.00} s per epoch, proposes {proposal.Key}, RSS {Process.GetCurrentProcess().WorkingSet64 / 1e6:0} MB"
                    )
                );
            }
            (strategy as IDisposable)?.Dispose();
            seconds.Sort();
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name}: median {seconds[seconds.Count / 2]:0.00} s per supernet epoch (min {seconds[0]:0.00}, max {seconds[^1]:0.00}, {seconds.Count} timed)"
                )
            );
        }
        return 0;
    }
}
