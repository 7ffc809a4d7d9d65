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
/// <c>nas train ARCH [--space S] | --from JOURNAL</c>: trains one architecture of any search space (the journal's, with
/// --from) at full fidelity over several seeds, resumable from its output folder, and exports each seed's model with
/// its space (docs/guide/training.md states every choice).
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
                "the architecture in --space's string form, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var from = new Option<string?>("--from")
        {
            Description = "train the winner of this race journal instead of ARCH",
            HelpName = "JOURNAL",
        };
        var space = new Option<string?>("--space")
        {
            Description = "ARCH's search space (built in, plugin or script) [nb201]; with --from, the journal's",
            HelpName = "NAME",
        };
        var operations = new Option<string?>("--operations")
        {
            Description =
                "comma-separated operations of ARCH's space [the space's own; for nb201, its five plus any built-in ARCH uses]",
        };
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
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
            Description = "C, the first stage's channels (nats-size: its architecture sets them)",
        };
        var cells = new Option<int>("--cells")
        {
            DefaultValueFactory = _ => defaults.CellsPerStage,
            Description = "N, cells per stage (NB201's skeleton; macro and nats-size fix their depth)",
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
            space,
            operations,
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
            plugins,
            scripts,
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
                    // Checked before anything is loaded: a bad --seeds or --output is refused at once.
                    var seedList = ParseSeeds(result.GetValue(seeds)!);
                    OutputPaths.Folder(result.GetValue(output)!, "--output");
                    using var host = SandboxHost.Create(
                        typeof(TrainCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts),
                        lazyScripts: true
                    );
                    var chosen = Choose(
                        host,
                        settings,
                        result.GetValue(arch),
                        result.GetValue(from),
                        result.GetValue(contestant),
                        result.GetValue(space),
                        CommonOptions.OperationList(result.GetValue(operations))
                    );
                    return Task.FromResult(
                        Run(
                            chosen,
                            host,
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

    /// <summary>An architecture to train, of a space made by the host, and that space's provider (its builder).</summary>
    internal sealed record Chosen(Architecture Architecture, ISearchSpace Space, SpaceEntry Entry);

    /// <summary>
    /// The architecture to train: ARCH parsed in <paramref name="spaceName"/> (nb201 by default) made with
    /// <paramref name="operations"/>, or a journal's winner (or a contestant's best) in the journal's space.
    /// </summary>
    internal static Chosen Choose(
        SandboxHost host,
        FullTrainingSettings settings,
        string? arch,
        string? journal,
        string? contestant,
        string? spaceName = null,
        IReadOnlyList<string>? operations = null
    )
    {
        if (arch is not null && journal is not null)
            throw new NasException("give either ARCH or --from JOURNAL, not both.");
        if (contestant is not null && journal is null)
            throw new NasException("--contestant needs --from JOURNAL.");
        if (journal is not null)
        {
            if (spaceName is not null || operations is not null)
                throw new NasException(
                    $"--space and --operations come from the journal with --from: {journal} records its race's space; drop them."
                );
            var data = ReportData.Read(journal, host); // an error naming the journal when it holds no finished trial
            var best = ReportStandings.Of(data).Best;
            string text;
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
            Console.Error.WriteLine($"train: from {journal} ({data.Space.Space.Name}): {text}");
            return new Chosen(data.Space.Space.Parse(text), data.Space.Space, data.Space.Entry);
        }
        string given = arch ?? throw new NasException("nas train needs an architecture (ARCH) or --from JOURNAL.");
        string name = spaceName ?? "nb201";
        var entry = host.ResolveSpace(name);
        var space = host.CreateSpace(
            name,
            operations ?? (entry.Provider is Nb201SpaceProvider ? Nb201Operations(given, host) : null),
            settings.Channels,
            settings.CellsPerStage
        );
        try
        {
            return new Chosen(space.Parse(given), space, entry);
        }
        catch (Exception e) when (e is NasException or ArchitectureFormatException or ArgumentException)
        {
            throw new NasException(
                $"architecture '{given}' does not parse in space '{name}' ({entry.Source}; operations {string.Join(", ", space.Operations)}): {e.Message}",
                e
            );
        }
    }

    /// <summary>
    /// An NB201 cell without --operations may use any operation of the host's registry (DARTS' convolutions,
    /// se_block, ...), as it could before spaces: NB201's five plus those the cell uses; null (NB201's five, whose
    /// parse error then names the problem) when it is not a cell of the registry's operations.
    /// </summary>
    private static IReadOnlyList<string>? Nb201Operations(string text, SandboxHost host)
    {
        try
        {
            var used = Nb201Format.Parse(text, host.Operations.Names);
            return Nb201Space.DefaultOperations.Union(used, StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is NasException or ArchitectureFormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The most seeds one <c>nas train</c> trains (each is a full training run and a folder).</summary>
    internal const int MaxSeeds = 1000;

    internal static long[] ParseSeeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && !text.Contains(',') && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int n))
            return n < 1 ? throw new NasException($"--seeds must be at least 1, not {n}.")
                : n > MaxSeeds ? throw new NasException($"--seeds must be at most {MaxSeeds}, not {n}.")
                : Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var seeds = new List<long>();
        foreach (string part in parts)
            seeds.Add(
                long.TryParse(part, CultureInfo.InvariantCulture, out long s)
                    ? s
                    : throw new NasException($"--seeds: '{part}' is not a whole number (give N or a list like 1,2,3).")
            );
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count)
            throw new NasException($"--seeds: '{text}' must list distinct seeds.");
        if (seeds.Count > MaxSeeds)
            throw new NasException($"--seeds: at most {MaxSeeds} seeds, not {seeds.Count}.");
        return seeds.ToArray();
    }

    private static int Run(
        Chosen chosen,
        SandboxHost host,
        FullTrainingSettings settings,
        long[] seeds,
        string output,
        string dataset,
        CancellationToken cancellation
    )
    {
        var architecture = chosen.Architecture;
        var run = RunRecord(chosen, settings, dataset);
        CheckSameRun(output, run);
        var data = SandboxHost.LoadDataset(dataset);
        var trainer = new FullTrainer(data, settings, host.Operations, chosen.Entry.Provider, chosen.Space);
        var (train, validation) = trainer.Split();
        trainer.CheckNetwork(architecture);
        // Recorded only once the data set has loaded and split and the network has passed the convolution check, so
        // that a refused command (too many images, a data set that does not load, channels libtorch miscomputes)
        // leaves no train.json behind to refuse the corrected command as another run.
        RecordRun(output, run);
        Console.Error.WriteLine(
            $"train: {chosen.Space.Name} {architecture.Key}\n"
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
            ["space"] = chosen.Space.Name,
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
    /// settings and dataset (seeds may be added); otherwise the folder is another run's and the error says so. An
    /// NB201 run's file is as it was before spaces (no <c>space</c>), so that its older folders still resume.
    /// </summary>
    private static JObject RunRecord(Chosen chosen, FullTrainingSettings settings, string dataset)
    {
        var run = new JObject
        {
            ["architecture"] = chosen.Architecture.Key,
            ["settings"] = JObject.FromObject(settings),
            ["dataset"] = dataset,
        };
        if (chosen.Space.Name != "nb201")
            run["space"] = chosen.Space.Name;
        return run;
    }

    private static void CheckSameRun(string output, JObject run)
    {
        string path = Path.Combine(output, SettingsFile);
        if (!File.Exists(path))
            return;
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
                $"{output} holds another training run ({path} differs: space, architecture, settings or dataset); "
                    + "give another --output, or the same options to resume it."
            );
    }

    private static void RecordRun(string output, JObject run)
    {
        string path = Path.Combine(output, SettingsFile);
        if (File.Exists(path))
            return;
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
