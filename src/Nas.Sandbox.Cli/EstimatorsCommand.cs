using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas estimators report</c>: how well each estimator (low-fidelity training, zero-cost proxies, script estimators)
/// ranks a sample of a table's architectures against the table's ground truth (Kendall τ, Spearman ρ), and what each
/// costs per evaluation. Printed as a table and written as CSV.
/// </summary>
internal static class EstimatorsCommand
{
    public static Command Create()
    {
        var table = new TableOptions(ladder: false);
        var estimators = new Option<string>("--estimators")
        {
            Description = "comma-separated estimators to measure",
            DefaultValueFactory = _ => "train,grad-norm,snip,synflow,naswot",
        };
        var sample = new Option<int>("--sample")
        {
            Description = "architectures drawn from the table (the same for every estimator)",
            DefaultValueFactory = _ => 100,
        };
        var seed = new Option<long>("--seed")
        {
            Description = "seed of the sample, the data split and the networks' weights",
            DefaultValueFactory = _ => 0,
        };
        var against = new Option<string>("--against")
        {
            Description = "ground truth: test (the table's test accuracy, when it has one) or validation",
            DefaultValueFactory = _ => "test",
        };
        var output = new Option<string?>("--output") { Description = "CSV to write [runs/estimators-<table>.csv]" };
        var space = new Option<string>("--space")
        {
            Description = "the table's search space: its keys are parsed, and its networks built, as this space's",
            DefaultValueFactory = _ => "nb201",
        };
        var dataset = CommonOptions.Dataset();
        var device = CommonOptions.Device();
        var fidelity = new FidelityOptions();
        var plugins = CommonOptions.Plugins();
        var scripts = CommonOptions.Scripts();
        var verbose = CommonOptions.Verbose();
        var report = new Command(
            "report",
            "Rank correlation (Kendall τ, Spearman ρ) and cost of each estimator against a table's ground truth."
        )
        {
            estimators,
            sample,
            seed,
            against,
            output,
            space,
            dataset,
            device,
            plugins,
            scripts,
            verbose,
        };
        foreach (var option in table.All.Concat(fidelity.All))
            report.Options.Add(option);
        report.SetAction((result, cancellation) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var training = fidelity.Settings(result);
                    using var host = SandboxHost.Create(
                        typeof(EstimatorsCommand).Assembly,
                        result.GetValue(plugins),
                        result.GetValue(scripts)
                    );
                    string spaceName = result.GetValue(space)!;
                    var loaded = table.Load(result, host, space: spaceName);
                    string tablePath = loaded.Path;
                    bool useTest = result.GetValue(against) switch
                    {
                        "test" => loaded.HasTest,
                        "validation" => false,
                        var other => throw new NasException($"--against must be test or validation, not '{other}'."),
                    };
                    var names = result
                        .GetValue(estimators)!
                        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (names.Length == 0)
                        throw new NasException("--estimators: name at least one estimator.");
                    if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                        throw new NasException(
                            $"--estimators lists {twice.Key} {twice.Count()} times; each estimator is measured once, listed once."
                        );
                    if (names.Contains("tabular"))
                        throw new NasException(
                            "--estimators: tabular is a race's lookup in a table, not an estimator to measure against one; name train, the proxies or yours."
                        );
                    // Plugins and scripts that did not load: one of them may be an estimator named here.
                    foreach (string warning in host.Warnings)
                        Console.Error.WriteLine($"warning: {warning}");
                    if (result.GetValue(sample) < 2)
                        throw new NasException("--sample must be at least 2 (a correlation needs pairs).");
                    long master = result.GetValue(seed);
                    var random = new Random(SeedMixer.ToInt32(SeedMixer.Derive(master, "report sample")));
                    var rows = loaded.Rows.OrderBy(r => r.Line).ToArray();
                    var chosen = Statistics.Shuffled(rows, random).Take(result.GetValue(sample)).ToArray();
                    // Resolve every name before measuring anything: a typo should cost nothing.
                    var measured = names
                        .Select(n =>
                            host.CreateEstimator(
                                n,
                                result.GetValue(dataset)!,
                                training,
                                result.GetValue(device)!,
                                spaceName
                            )
                        )
                        .ToArray();
                    Console.Error.WriteLine(
                        $"estimators report: {chosen.Length} of {loaded.Count} architectures ({spaceName}) of {tablePath}, against "
                            + $"{(useTest ? "test" : "validation")} accuracy; seed {master}"
                    );
                    var qualities = new List<EstimatorQuality>();
                    foreach (var estimator in measured)
                    {
                        qualities.Add(
                            EstimatorReport.Measure(
                                estimator,
                                chosen,
                                r => useTest ? r.Test!.Value : r.Validation,
                                master,
                                done =>
                                {
                                    if (done % 10 == 0 || done == chosen.Length)
                                        Console.Error.Write($"\r  {estimator.Name}: {done}/{chosen.Length}");
                                },
                                cancellation
                            )
                        );
                        Console.Error.WriteLine();
                    }
                    var c = CultureInfo.InvariantCulture;
                    Console.Out.WriteLine(
                        $"{"estimator", -12} {"n", 5} {"failed", 6} {"Kendall τ", 10} {"Spearman ρ", 11} {"s/eval", 9}"
                    );
                    foreach (var q in qualities)
                        Console.Out.WriteLine(
                            $"{q.Estimator, -12} {q.Evaluated, 5} {q.Failed, 6} {q.KendallTau.ToString("0.000", c), 10} {q.SpearmanRho.ToString("0.000", c), 11} {q.SecondsPerEvaluation.ToString("0.0000", c), 9}"
                        );
                    string csv = result.GetValue(output)
                        ?? Path.Combine("runs", $"estimators-{Path.GetFileNameWithoutExtension(tablePath)}.csv");
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csv))!);
                    File.WriteAllText(csv, EstimatorReport.Csv(qualities));
                    Console.Out.WriteLine($"csv: {csv}");
                    return Task.FromResult(0);
                }));
        return new Command("estimators", "Estimators: measure their quality against a tabular benchmark.") { report };
    }
}
