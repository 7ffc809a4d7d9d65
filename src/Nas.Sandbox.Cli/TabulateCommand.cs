using System.CommandLine;
using System.Diagnostics;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas tabulate</c>: evaluates every architecture of a space (or a sample; any space, built in, plugin or script)
/// with the training estimator, on the space's own networks, and writes a tabular benchmark (CSV) that <c>--estimator tabular --table</c> reads. Interrupt it at any time: run the same command
/// again and it continues where it stopped.
/// </summary>
internal static class TabulateCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = "the CSV to write (or to resume)" };
        var withLatency = new Option<bool>("--latency")
        {
            Description =
                "also measure latency_ms_b1 and latency_ms_b64 (median forward ms at batch 1 and 64, not in train_seconds)",
        };
        var addLatency = new Option<string?>("--add-latency")
        {
            Description =
                "add latency_ms_b1 and latency_ms_b64 to an existing TABLE in place (resumable); give the table's --channels and --cells",
            HelpName = "TABLE",
        };
        var withCurve = new Option<bool>("--curve")
        {
            Description =
                "also write validation_curve and train_seconds_curve: accuracy and seconds after each of --epochs epochs (a table for multi-fidelity races)",
        };
        var latencyOptions = new LatencyOptions();
        var space = new Option<string>("--space")
        {
            Description = "search space (built in, plugin or script); with --add-latency, the table's",
            DefaultValueFactory = _ => "nb201",
        };
        var operations = new Option<string?>("--operations")
        {
            Description = "comma-separated operations of the cell space [NB201's five]",
        };
        var sample = new Option<int?>("--sample")
        {
            Description =
                "evaluate N distinct architectures drawn at random (with --seed) instead of all; required for a space "
                + "that cannot be enumerated (any but nb201)",
        };
        var seeds = new Option<int>("--seeds")
        {
            Description = "training seeds per architecture (mean and per-seed columns)",
            DefaultValueFactory = _ => 1,
        };
        var seed = new Option<long>("--seed")
        {
            Description = "master seed: data split, training seeds, sample",
            DefaultValueFactory = _ => 0,
        };
        var testImages = new Option<int>("--test-images")
        {
            Description = "held-out test images measured per evaluation (0: none)",
            DefaultValueFactory = _ => 2000,
        };
        var dataset = CommonOptions.Dataset();
        var device = CommonOptions.Device();
        var fidelity = new FidelityOptions();
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "tabulate",
            "Evaluate every architecture of a space (or --sample N) and write a tabular benchmark (CSV); resumable."
        )
        {
            output,
            space,
            operations,
            sample,
            seeds,
            seed,
            testImages,
            dataset,
            device,
            plugins,
            scripts,
            withLatency,
            withCurve,
            addLatency,
            verbose,
        };
        foreach (var option in fidelity.All.Concat(latencyOptions.All))
            command.Options.Add(option);
        command.SetAction((result, cancellation) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var training = fidelity.Settings(result);
                    if (result.GetValue(addLatency) is { } table)
                    {
                        if (result.GetValue(output) is not null)
                            throw new NasException("--add-latency changes TABLE in place; it takes no --output.");
                        return Task.FromResult(
                            AddLatency(
                                table,
                                result.GetValue(space)!,
                                training,
                                latencyOptions.Settings(result),
                                result.GetValue(dataset)!,
                                result.GetValue(device)!,
                                result.GetValue(plugins),
                                result.GetValue(scripts),
                                cancellation
                            )
                        );
                    }
                    string path = result.GetValue(output)
                        ?? throw new NasException("nas tabulate needs --output FILE.csv (or --add-latency TABLE).");
                    var latency = result.GetValue(withLatency) ? latencyOptions.Settings(result) : null;
                    int seedCount = result.GetValue(seeds);
                    if (seedCount < 1)
                        throw new NasException($"--seeds must be at least 1, not {seedCount}.");
                    if (result.GetValue(sample) is < 1)
                        throw new NasException($"--sample must be at least 1, not {result.GetValue(sample)}.");
                    if (result.GetValue(testImages) < 0)
                        throw new NasException(
                            $"--test-images must be at least 0 (0: none), not {result.GetValue(testImages)}."
                        );
                    OutputPaths.File(path, "--output");
                    using var host = SandboxHost.Create(
                        typeof(TabulateCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts)
                    );
                    string spaceName = result.GetValue(space)!;
                    var searchSpace = host.CreateSpace(
                        spaceName,
                        CommonOptions.OperationList(result.GetValue(operations)),
                        training.Channels,
                        training.CellsPerStage
                    );
                    long master = result.GetValue(seed);
                    var architectures = TabulateSample.Architectures(searchSpace, result.GetValue(sample), master);

                    // The data set, the device and the network's size are checked before the table is touched: a
                    // refused command leaves no header-only file behind.
                    var data = SandboxHost.LoadDataset(result.GetValue(dataset)!);
                    var estimator = new TrainingEstimator(
                        data,
                        host.Operations,
                        training,
                        Devices.Resolve(result.GetValue(device)!),
                        host.ResolveSpace(spaceName).Provider
                    );
                    if (architectures.Count > 0)
                        estimator.Build(architectures[0], training, master).Dispose();
                    var done = Tabulator.Prepare(path, seedCount, latency is not null, result.GetValue(withCurve));
                    var todo = architectures.Where(a => !done.Contains(a.Key)).ToList();
                    var tabulator = new Tabulator(
                        estimator,
                        seedCount,
                        result.GetValue(testImages),
                        master,
                        data.Train.Classes,
                        latency,
                        result.GetValue(withCurve)
                    );
                    Console.Error.WriteLine(
                        $"tabulate: {architectures.Count} architectures of {searchSpace.Name} ({string.Join(", ", searchSpace.Operations)}), "
                            + $"{seedCount} seed(s), {done.Count} already in {path}; {todo.Count} to go"
                    );
                    Console.Error.WriteLine(
                        $"          fidelity: {training.Epochs} epoch(s) over {training.TrainingImages} training images, C={training.Channels}, "
                            + $"N={training.CellsPerStage}, batch {training.BatchSize}; validation {training.ValidationImages} images, test {result.GetValue(testImages)} images"
                    );
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < todo.Count; i++)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        string row = tabulator.Measure(
                            todo[i],
                            (seed, problem) => Console.Error.WriteLine($"  {todo[i].Key} seed {seed}: {problem}"),
                            cancellation
                        );
                        Tabulator.Append(path, row);
                        double perArchitecture = clock.Elapsed.TotalSeconds / (i + 1);
                        var fields = CsvFormat.ParseLine(row);
                        Console.Error.WriteLine(
                            $"  {done.Count + i + 1, 5}/{architectures.Count} {todo[i].Key}  val {fields[1]}  test {fields[2]}  "
                                + $"{fields[3]} s  (about {TimeSpan.FromSeconds(perArchitecture * (todo.Count - i - 1)):h\\:mm\\:ss} left)"
                        );
                    }
                    Console.Out.WriteLine(
                        $"table: {path} ({architectures.Count} architectures, {seedCount} seed(s)) in {clock.Elapsed.TotalMinutes:0.0} min"
                    );
                    return Task.FromResult(0);
                }));
        return command;
    }

    /// <summary>
    /// Measures the latency of every row of <paramref name="table"/> (architectures of <paramref name="space"/>) that
    /// lacks it, with the network at the given
    /// channels and cells (the table's own fidelity: the table does not record it), on the current device.
    /// </summary>
    private static int AddLatency(
        string table,
        string space,
        TrainingSettings training,
        LatencySettings latency,
        string dataset,
        string device,
        string[]? pluginFolders,
        string[]? scriptFolders,
        CancellationToken cancellation
    )
    {
        // The table first: a missing one (or a folder) is the error, before plugins, scripts and data are loaded.
        TabularTable.RequireFile(table);
        using var host = SandboxHost.Create(typeof(TabulateCommand).Assembly, pluginFolders, scriptFolders);
        var keys = TableOptions.Keys(host, space);
        // Only the image shape and class count matter for latency: the data set supplies them.
        var data = SandboxHost.LoadDataset(dataset);
        var estimator = new TrainingEstimator(
            data,
            host.Operations,
            training,
            Devices.Resolve(device),
            host.ResolveSpace(space).Provider
        );
        Console.Error.WriteLine(
            $"tabulate --add-latency: {table} ({space}), network C={training.Channels}, N={training.CellsPerStage}, "
                + $"{data.Train.Channels}×{data.Train.Height}×{data.Train.Height} images; {latency.Warmup} warm-up + {latency.Repeats} timed passes at batch 1 and 64"
        );
        var clock = Stopwatch.StartNew();
        int measured = TableLatency.Add(
            table,
            keys.Parse,
            architecture => estimator.MeasureLatency(architecture, training, latency),
            (done, total, key, b1, b64) =>
            {
                if (done == 1 || done % 25 == 0 || done == total)
                    Console.Error.WriteLine(
                        $"  {done, 5}/{total} {key}  {b1:0.###} ms (batch 1)  {b64:0.###} ms (batch 64)"
                    );
            },
            cancellation
        );
        Console.Out.WriteLine(
            $"table: {table}, latency added to {measured} row(s) in {clock.Elapsed.TotalMinutes:0.0} min"
        );
        return 0;
    }
}
