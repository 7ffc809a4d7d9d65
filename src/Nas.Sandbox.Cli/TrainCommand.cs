using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli.Report;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Core.Training;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas train ARCH | --from JOURNAL</c>: trains one NB201 architecture at full fidelity over several seeds, resumable
/// from its output folder, and exports each seed's model (docs/guide/training.md states every choice).
/// </summary>
internal static class TrainCommand
{
    private const string SettingsFile = "train.json";

    public static Command Create()
    {
        var defaults = new FullTrainingSettings();
        var arch = new Argument<string?>("ARCH")
        {
            Description =
                "the architecture, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<string?>("--from")
        {
            Description = "train the winner of this race journal instead of ARCH",
            HelpName = "JOURNAL",
        };
        var contestant = new Option<string?>("--contestant")
        {
            Description = "with --from: this contestant's best architecture instead of the winner's",
            HelpName = "NAME",
        };
        var output = new Option<string>("--output")
        {
            Description = "the run's folder; run again with the same folder to resume a killed run",
            DefaultValueFactory = _ => "train-output",
        };
        var seeds = new Option<string>("--seeds")
        {
            Description = "N (seeds 0..N-1) or a comma-separated list of seeds",
            DefaultValueFactory = _ => "3",
        };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => defaults.Epochs, Description = "epochs" };
        var channels = new Option<int>("--channels")
        {
            DefaultValueFactory = _ => defaults.Channels,
            Description = "C, the first stage's channels",
        };
        var cells = new Option<int>("--cells")
        {
            DefaultValueFactory = _ => defaults.CellsPerStage,
            Description = "N, cells per stage",
        };
        var batch = new Option<int>("--batch")
        {
            DefaultValueFactory = _ => defaults.BatchSize,
            Description = "batch size",
        };
        var lr = new Option<double>("--lr")
        {
            DefaultValueFactory = _ => defaults.LearningRate,
            Description = "initial learning rate (cosine to 0)",
        };
        var trainImages = new Option<int?>("--train-images")
        {
            Description = "use only this many training images [all but the validation split]",
        };
        var validationImages = new Option<int>("--validation-images")
        {
            DefaultValueFactory = _ => defaults.ValidationImages,
            Description = "training images held out for validation (a fixed seeded shuffle)",
        };
        var cropPadding = new Option<int>("--crop-padding")
        {
            DefaultValueFactory = _ => defaults.CropPadding,
            Description = "random-crop padding in pixels (0: no augmentation, no flips either)",
        };
        var dataset = CommonOptions.Dataset();
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "train",
            "Train an architecture at full fidelity over seeds (resumable), report test accuracy, export the models."
        )
        {
            arch,
            from,
            contestant,
            output,
            seeds,
            epochs,
            channels,
            cells,
            batch,
            lr,
            trainImages,
            validationImages,
            cropPadding,
            dataset,
            verbose,
        };
        command.SetAction((result, cancellation) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var settings = new FullTrainingSettings
                    {
                        Epochs = result.GetValue(epochs),
                        Channels = result.GetValue(channels),
                        CellsPerStage = result.GetValue(cells),
                        BatchSize = result.GetValue(batch),
                        LearningRate = result.GetValue(lr),
                        TrainingImages = result.GetValue(trainImages),
                        ValidationImages = result.GetValue(validationImages),
                        CropPadding = result.GetValue(cropPadding),
                    };
                    settings.Validate();
                    var architecture = Choose(
                        result.GetValue(arch),
                        result.GetValue(from),
                        result.GetValue(contestant)
                    );
                    var seedList = ParseSeeds(result.GetValue(seeds)!);
                    return Task.FromResult(
                        Run(
                            architecture,
                            settings,
                            seedList,
                            result.GetValue(output)!,
                            result.GetValue(dataset)!,
                            cancellation
                        )
                    );
                }));
        return command;
    }

    /// <summary>The architecture to train: ARCH parsed as an NB201 cell of the built-in operations, or a journal's winner (or a contestant's best).</summary>
    internal static Architecture Choose(string? arch, string? journal, string? contestant)
    {
        if (arch is not null && journal is not null)
            throw new NasException("give either ARCH or --from JOURNAL, not both.");
        if (contestant is not null && journal is null)
            throw new NasException("--contestant needs --from JOURNAL.");
        string text;
        if (journal is not null)
        {
            var data = ReportData.Read(journal); // an error naming the journal when it holds no finished trial
            var best = ReportStandings.Of(data).Best;
            if (contestant is not null)
            {
                if (!data.Contestants.Contains(contestant))
                    throw new NasException(
                        $"--contestant {contestant}: not in {journal} (its contestants: {string.Join(", ", data.Contestants)})."
                    );
                text = best.FirstOrDefault(b => b.Contestant == contestant).Arch
                    ?? throw new NasException($"{journal}: contestant {contestant} has no finished trial.");
            }
            else
            {
                // A finished race ranks its contestants: take the first's best. A race cut short: the best trial so far.
                text =
                    data.Record.Finished && best.Count > 0
                        ? best[0].Arch
                        : data
                            .Trials.Values.SelectMany(t => t)
                            .Where(t => ReportData.Score(t) is not null)
                            .MaxBy(t => ReportData.Score(t))!
                            .Architecture.Key;
            }
            Console.Error.WriteLine($"train: from {journal}: {text}");
        }
        else
            text = arch ?? throw new NasException("nas train needs an architecture (ARCH) or --from JOURNAL.");
        // Any built-in operation (NB201's five, DARTS' convolutions, se_block): what the trainer's registry builds.
        var operations = OperationRegistry.CreateDefault().Names;
        try
        {
            var choices = Nb201Format.Parse(text, operations);
            return new Architecture(Nb201Format.Format(choices), choices);
        }
        catch (Exception e) when (e is NasException or ArchitectureFormatException)
        {
            throw new NasException(
                $"architecture '{text}' is not an NB201 cell of the built-in operations ({string.Join(", ", operations)}): {e.Message}",
                e
            );
        }
    }

    internal static long[] ParseSeeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && !text.Contains(',') && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int n))
            return n >= 1
                ? Enumerable.Range(0, n).Select(i => (long)i).ToArray()
                : throw new NasException($"--seeds must be at least 1, not {n}.");
        var seeds = new List<long>();
        foreach (string part in parts)
            seeds.Add(
                long.TryParse(part, CultureInfo.InvariantCulture, out long s)
                    ? s
                    : throw new NasException($"--seeds: '{part}' is not a whole number (give N or a list like 1,2,3).")
            );
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count)
            throw new NasException($"--seeds: '{text}' must list distinct seeds.");
        return seeds.ToArray();
    }

    private static int Run(
        Architecture architecture,
        FullTrainingSettings settings,
        long[] seeds,
        string output,
        string dataset,
        CancellationToken cancellation
    )
    {
        CheckSameRun(output, architecture, settings, dataset);
        var data = SandboxHost.LoadDataset(dataset);
        var trainer = new FullTrainer(data, settings, OperationRegistry.CreateDefault());
        var (train, validation) = trainer.Split();
        Console.Error.WriteLine(
            $"train: {architecture.Key}\n"
                + $"       C={settings.Channels}, N={settings.CellsPerStage}; {settings.Epochs} epoch(s) over {train.Length} training images "
                + $"(validation {validation.Length}, test {data.Test.Count}), batch {settings.BatchSize}, lr {settings.LearningRate} cosine, "
                + $"seeds {string.Join(",", seeds)}; output {output}"
        );
        var results = new List<SeedResult>();
        var bar = new TrainingProgressBar(Console.Error);
        foreach (long seed in seeds)
        {
            var result = trainer.Train(
                architecture,
                seed,
                Path.Combine(output, $"seed-{seed}"),
                bar.Report,
                Console.Error.WriteLine,
                cancellation
            );
            bar.Done();
            Console.Error.WriteLine(
                $"seed {seed}: test accuracy {result.TestAccuracy:0.0000} (validation {result.Curve[^1].ValidationAccuracy:0.0000}), model in {result.Folder}"
            );
            results.Add(result);
        }
        WriteCurves(Path.Combine(output, "curves.csv"), results);
        var accuracies = results.Select(r => r.TestAccuracy).ToArray();
        var (mean, std) = Statistics.MeanStd(accuracies);
        var summary = new JObject
        {
            ["architecture"] = architecture.Key,
            ["seeds"] = new JArray(seeds),
            ["testAccuracy"] = new JArray(accuracies),
            ["testAccuracyMean"] = mean,
            ["testAccuracyStd"] = std,
            ["testImages"] = data.Test.Count,
        };
        File.WriteAllText(Path.Combine(output, "summary.json"), summary.ToString() + "\n");
        Console.Out.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"test accuracy {mean:0.0000} ± {std ?? 0:0.0000} over {seeds.Length} seed(s) ({data.Test.Count} test images); curves in {Path.Combine(output, "curves.csv")}"
            )
        );
        return 0;
    }

    /// <summary>
    /// The output folder resumes only the run that made it: its <c>train.json</c> must name the same architecture,
    /// settings and dataset (seeds may be added); otherwise the folder is another run's and the error says so.
    /// </summary>
    private static void CheckSameRun(
        string output,
        Architecture architecture,
        FullTrainingSettings settings,
        string dataset
    )
    {
        var run = new JObject
        {
            ["architecture"] = architecture.Key,
            ["settings"] = JObject.FromObject(settings),
            ["dataset"] = dataset,
        };
        string path = Path.Combine(output, SettingsFile);
        if (File.Exists(path))
        {
            JObject existing;
            try
            {
                existing = JObject.Parse(File.ReadAllText(path));
            }
            catch (JsonReaderException e)
            {
                throw new NasException($"{path}: not valid JSON ({e.Message}); delete it or give another --output.", e);
            }
            if (!JToken.DeepEquals(existing, run))
                throw new NasException(
                    $"{output} holds another training run ({path} differs: architecture, settings or dataset); "
                        + "give another --output, or the same options to resume it."
                );
            return;
        }
        Directory.CreateDirectory(output);
        File.WriteAllText(path, run.ToString() + "\n");
    }

    private static void WriteCurves(string path, IReadOnlyList<SeedResult> results)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("seed,epoch,training_loss,validation_accuracy,validation_loss,seconds");
        foreach (var result in results)
        foreach (var e in result.Curve)
            writer.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{result.Seed},{e.Epoch},{e.TrainingLoss:R},{e.ValidationAccuracy:R},{e.ValidationLoss:R},{e.Seconds:0.###}"
                )
            );
    }
}
