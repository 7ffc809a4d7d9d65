using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas race</c>: a headless tournament. With no options, random search races regularized evolution on
/// Fashion-MNIST at the default training fidelity (about two minutes on 2 CPU cores).
/// </summary>
internal static class RaceCommand
{
    public static readonly string[] DefaultStrategies = ["random-search", "regularized-evolution"];
    public const int DefaultTrainingBudget = 16;

    public static Command Create()
    {
        var strategy = new Option<string[]>("--strategy")
        {
            Description = "contestant NAME[:knob=value,...] (repeatable) [random-search, regularized-evolution]",
            AllowMultipleArgumentsPerToken = false,
        };
        var space = new Option<string>("--space") { Description = "search space", DefaultValueFactory = _ => "nb201" };
        var operations = new Option<string?>("--operations") { Description = "comma-separated operations of the cell space (built-in or from scripts) [NB201's five]" };
        var estimator = new Option<string>("--estimator") { Description = "train (low-fidelity TorchSharp training)", DefaultValueFactory = _ => "train" };
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist or fashion-mnist:DIR", DefaultValueFactory = _ => "fashion-mnist" };
        var budget = new Option<int?>("--budget") { Description = $"evaluations per contestant per heat [{DefaultTrainingBudget} when no budget is given]" };
        var budgetSeconds = new Option<double?>("--budget-seconds") { Description = "seconds per contestant per heat (measured training time)" };
        var heats = new Option<int>("--heats") { Description = "independent repetitions with seeds derived from --seed", DefaultValueFactory = _ => 1 };
        var seed = new Option<long>("--seed") { Description = "master seed", DefaultValueFactory = _ => 0 };
        var journal = new Option<string?>("--journal") { Description = "JSON-lines journal [runs/race-<UTC time>.jsonl]" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var epochs = new Option<int?>("--epochs") { Description = $"training epochs per evaluation [{new TrainingSettings().Epochs}]" };
        var images = new Option<int?>("--train-images") { Description = $"training images per evaluation [{new TrainingSettings().TrainingImages}]" };
        var validation = new Option<int?>("--validation-images") { Description = $"validation images per evaluation [{new TrainingSettings().ValidationImages}]" };
        var channels = new Option<int?>("--channels") { Description = $"channels C of the first stage [{new TrainingSettings().Channels}]" };
        var cells = new Option<int?>("--cells") { Description = $"cells per stage N [{new TrainingSettings().CellsPerStage}]" };
        var batch = new Option<int?>("--batch-size") { Description = $"training batch size [{new TrainingSettings().BatchSize}]" };
        var callTimeout = new Option<double>("--call-timeout") { Description = "seconds a strategy's constructor, Ask or Tell may take", DefaultValueFactory = _ => 30 };
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var watch = new Option<bool>("--watch") { Description = "recompile scripts when saved and swap contestants to the new version mid-race" };
        var json = CommonOptions.Json("print the summary as one JSON document on stdout");
        var verbose = CommonOptions.Verbose();

        var command = new Command("race", "Race strategies head-to-head, headless: progress on stderr, leaderboard at the end.")
        {
            strategy, space, operations, estimator, dataset, budget, budgetSeconds, heats, seed, journal, device,
            epochs, images, validation, channels, cells, batch, callTimeout, plugins, scripts, watch, json, verbose,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(result.GetValue(verbose), async () =>
        {
            var training = new TrainingSettings();
            training = training with
            {
                Epochs = result.GetValue(epochs) ?? training.Epochs,
                TrainingImages = result.GetValue(images) ?? training.TrainingImages,
                ValidationImages = result.GetValue(validation) ?? training.ValidationImages,
                Channels = result.GetValue(channels) ?? training.Channels,
                CellsPerStage = result.GetValue(cells) ?? training.CellsPerStage,
                BatchSize = result.GetValue(batch) ?? training.BatchSize,
            };
            training.Validate();
            var specs = result.GetValue(strategy) is { Length: > 0 } given ? given : DefaultStrategies;
            int? evaluations = result.GetValue(budget);
            double? seconds = result.GetValue(budgetSeconds);
            var settings = new RaceSettings
            {
                Contestants = specs.Select(ContestantSpec.Parse).ToArray(),
                Space = result.GetValue(space)!,
                Estimator = result.GetValue(estimator)!,
                Dataset = result.GetValue(dataset)!,
                Budget = evaluations is null && seconds is null ? DefaultTrainingBudget : evaluations,
                BudgetSeconds = seconds,
                Heats = result.GetValue(heats),
                Seed = result.GetValue(seed),
                Fidelity = training.ToFidelity(),
                CallTimeout = TimeSpan.FromSeconds(result.GetValue(callTimeout)),
            };
            settings.Validate();
            string journalPath = result.GetValue(journal)
                ?? Path.Combine("runs", $"race-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.jsonl");

            using var host = SandboxHost.Create(typeof(RaceCommand).Assembly, result.GetValue(plugins), result.GetValue(scripts));
            // Resolve names first: unknown strategies, spaces or datasets fail before any data is loaded.
            foreach (var spec in settings.Contestants.Where(s => s.Strategy.EndsWith(".csx", StringComparison.OrdinalIgnoreCase)))
                host.RequireScript(spec.Strategy);
            foreach (string warning in host.Warnings) Console.Error.WriteLine($"warning: {warning}");
            foreach (var spec in settings.Contestants)
            {
                var entry = host.Strategies.Get(spec.Strategy);
                KnobValues.Create(entry.Name, entry.Factory.Knobs, spec.Knobs);
            }
            var searchSpace = host.CreateSpace(settings.Space,
                result.GetValue(operations)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var evaluator = host.CreateEstimator(settings.Estimator, settings.Dataset, training, result.GetValue(device)!);

            using var writer = new JournalWriter(journalPath);
            var referee = new Referee(searchSpace, evaluator, host.Strategies, writer);
            var progress = new ProgressPrinter(Console.Error, settings);
            referee.EventRaised += progress.Print;
            if (result.GetValue(watch))
            {
                host.Scripts.Recompiled += progress.ScriptRecompiled;
                host.Scripts.Watch();
                Console.Error.WriteLine($"watching {host.Scripts.Scripts.Sum(s => s.SourceFiles.Count)} script file(s) and the plugin folders for changes");
            }
            host.Plugins.Reloaded += progress.PluginReloaded;
            var summary = await referee.RunAsync(settings, cancellation);

            bool asJson = result.GetValue(json);
            var leaderboardOut = asJson ? Console.Error : Console.Out;
            LeaderboardPrinter.Print(leaderboardOut, summary);
            leaderboardOut.WriteLine($"journal: {writer.Path}");
            if (asJson) Console.Out.WriteLine(JournalFormat.Summary(summary).ToString(Formatting.Indented));
            return 0;
        }));
        return command;
    }
}
