using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Bench;

/// <summary>
/// Training throughput, side by side in one process: <see cref="TrainingEstimator.Evaluate"/> vs the minimal
/// hand-written TorchSharp loop doing the same work (same network, weights, data, batch order, optimiser, schedule,
/// clipping, validation), interleaved so that machine noise hits both alike; then the same network in Debian's PyTorch
/// (bench/pytorch_peer.py) for an outside reference.
/// </summary>
public static class Program
{
    private const string ReferenceArchitecture =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private const long Seed = 1, DataSeed = 1;
    private const int ValidationBatch = 500;
    private const string Python = "/usr/bin/python3";

    public static int Main(string[] args)
    {
        Nas.Sandbox.Core.Evaluation.TorchRuntime.Configure();

        int repeats = 5;
        bool python = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n >= 1:
                    repeats = n;
                    i++;
                    break;
                case "--no-python":
                    python = false;
                    break;
                case "-h" or "--help":
                    Console.WriteLine("usage: Nas.Sandbox.Bench [--repeats N (default 5)] [--no-python]");
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'. usage: [--repeats N] [--no-python]");
                    return 2;
            }
        }

        var settings = new TrainingSettings();
        var data = FashionMnist.Load();
        var architecture = new Nb201Space().Parse(ReferenceArchitecture);
        var estimator = new TrainingEstimator(data, OperationRegistry.CreateDefault(), settings);
        long trainingImages = (long)settings.TrainingImages * settings.Epochs;

        Console.WriteLine($"Nas.Sandbox.Bench  TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, " +
                          $".NET {Environment.Version}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, " +
                          $"ATEN_CPU_CAPABILITY={Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "(unset)"}");
        Console.WriteLine($"architecture {ReferenceArchitecture}");
        Console.WriteLine($"C={settings.Channels}, N={settings.CellsPerStage}, {settings.Epochs} epoch x {settings.TrainingImages} images, " +
                          $"batch {settings.BatchSize}, SGD lr {settings.LearningRate} momentum {settings.Momentum} nesterov={settings.Nesterov} " +
                          $"wd {settings.WeightDecay}, cosine, clip {settings.GradientClip}, validation {settings.ValidationImages} images");
        Console.WriteLine($"1 warm-up each, then {repeats} alternating repetitions (estimator, raw, estimator, raw, ...)");
        Console.WriteLine();

        var estimatorSeconds = new List<double>();
        var rawSeconds = new List<double>();
        var rawSections = new List<RawResult>();
        var rss = new List<(string Label, double MiB)>();
        double? estimatorAccuracy = null, rawAccuracy = null;

        for (int rep = 0; rep <= repeats; rep++)
        {
            bool warmUp = rep == 0;
            string tag = warmUp ? "warm-up" : $"rep {rep}";

            var clock = Stopwatch.StartNew();
            var result = estimator.Evaluate(architecture, new EvaluationRequest { Seed = Seed, DataSeed = DataSeed });
            double e = clock.Elapsed.TotalSeconds;
            if (result.Status != TrialStatus.Ok)
            {
                Console.Error.WriteLine($"estimator evaluation was {result.Status}: {result.Message}");
                return 1;
            }
            estimatorAccuracy = result.Metrics.ValidationAccuracy;
            rss.Add(($"{tag} E", WorkingSetMiB()));

            var raw = RawLoop(data, architecture, settings, Seed, DataSeed);
            rawAccuracy = raw.Accuracy;
            rss.Add(($"{tag} R", WorkingSetMiB()));

            Console.WriteLine($"  {tag,-8} estimator {e,6:F2} s ({trainingImages / e,7:F1} img/s, val acc {result.Metrics.ValidationAccuracy:F4})   " +
                              $"raw {raw.Total,6:F2} s ({trainingImages / raw.Total,7:F1} img/s, val acc {raw.Accuracy:F4})   " +
                              $"RSS {WorkingSetMiB():F0} MiB");
            if (warmUp) continue;
            estimatorSeconds.Add(e);
            rawSeconds.Add(raw.Total);
            rawSections.Add(raw);
        }

        // What Evaluate does beyond the raw loop: the FLOPs/parameter count (one hooked forward pass of one image).
        double countMs;
        {
            using var model = estimator.Build(architecture, settings, Seed);
            ModelCounter.Count(model, data.Train.Channels, data.Train.Height);
            var clock = Stopwatch.StartNew();
            const int countRuns = 5;
            for (int i = 0; i < countRuns; i++) ModelCounter.Count(model, data.Train.Channels, data.Train.Height);
            countMs = clock.Elapsed.TotalMilliseconds / countRuns;
        }

        PeerResult? peer = null;
        string? peerNote = null;
        if (python)
        {
            Console.WriteLine();
            Console.WriteLine($"running {Python} bench/pytorch_peer.py --repeats {repeats} ...");
            (peer, peerNote) = RunPythonPeer(repeats);
        }
        else peerNote = "PyTorch peer skipped (--no-python).";

        // ---- report ----
        static double Rate(long images, double seconds) => images / seconds;
        var rawRates = rawSeconds.Select(s => Rate(trainingImages, s)).ToList();
        var rawTrainRates = rawSections.Select(r => Rate(trainingImages, r.Train)).ToList();
        double rawMedian = Median(rawRates), rawTrainMedian = Median(rawTrainRates);
        var rows = new List<string[]>
        {
            new[] { "runner", "timed", "median img/s", "min", "max", "ratio to raw" },
            Row("estimator", "whole Evaluate()", estimatorSeconds.Select(s => Rate(trainingImages, s)).ToList(), rawMedian),
            Row("raw TorchSharp loop", "build+load+train+validate", rawRates, rawMedian),
        };
        if (peer is not null)
            rows.Add(Row($"PyTorch {peer.Torch} (Debian)", "build+train+validate", peer.ImagesPerSecond, rawMedian));
        rows.Add(Row("raw TorchSharp loop", "training phase only", rawTrainRates, rawTrainMedian));
        if (peer is not null)
            rows.Add(Row($"PyTorch {peer.Torch} (Debian)", "training phase only", peer.TrainImagesPerSecond, rawTrainMedian));

        Console.WriteLine();
        Console.WriteLine($"images/s = {settings.TrainingImages} training images x {settings.Epochs} epoch / wall seconds of what is timed " +
                          $"(validation of {settings.ValidationImages} images included where stated, not counted as images)");
        Console.WriteLine("ratio = median img/s / median img/s of the raw loop timed the same way (whole run, or training phase only)");
        PrintTable(rows);
        Console.WriteLine();
        Console.WriteLine($"raw loop sections (median ms): build {MedianMs(rawSections, r => r.Build)}, load {MedianMs(rawSections, r => r.Load)}, " +
                          $"train {MedianMs(rawSections, r => r.Train)}, validate {MedianMs(rawSections, r => r.Validate)}");
        Console.WriteLine($"estimator-only work: FLOPs/parameter count (ModelCounter.Count) {countMs:F1} ms per evaluation");
        Console.WriteLine($"validation accuracy (last repetition): estimator {estimatorAccuracy:F4}, raw loop {rawAccuracy:F4}" +
                          (peer is not null ? $", PyTorch {peer.LastAccuracy:F4} (own init and split)" : ""));
        if (peerNote is not null) Console.WriteLine(peerNote);
        Console.WriteLine();
        Console.WriteLine("RSS after each run (MiB; E = estimator, R = raw loop): " +
                          string.Join("  ", rss.Select(r => $"{r.Label} {r.MiB:F0}")));
        var measured = rss.Skip(2).ToList();
        Console.WriteLine($"RSS over the measured repetitions: min {measured.Min(r => r.MiB):F0} MiB, max {measured.Max(r => r.MiB):F0} MiB, " +
                          $"first {measured[0].MiB:F0} -> last {measured[^1].MiB:F0} MiB ({measured[^1].MiB - measured[0].MiB:+0;-0;0} MiB)");
        return 0;
    }

    private sealed record RawResult(double Build, double Load, double Train, double Validate, double Accuracy)
    {
        public double Total => Build + Load + Train + Validate;
    }

    /// <summary>
    /// The minimal TorchSharp loop: same network, initial weights (same seed), split, batch order (same shuffle as
    /// the estimator), optimiser, cosine schedule and clipping; one dispose scope per batch; then the validation pass.
    /// </summary>
    private static RawResult RawLoop(DatasetBundle data, Architecture architecture, TrainingSettings s, long seed, long dataSeed)
    {
        var clock = Stopwatch.StartNew();
        manual_seed(seed);
        using var model = new Nb201Network(architecture,
            new NetworkSettings(s.Channels, s.CellsPerStage, data.Train.Channels, data.Train.Height, data.Train.Classes),
            OperationRegistry.CreateDefault());
        double build = Lap(clock);

        var split = DataSplit.Create(data.Train.Count, (int)Math.Round(data.Train.Count * s.ValidationShare), dataSeed);
        var (images, labels) = TensorLoader.Load(data.Train, split.SearchTrain.AsSpan(0, s.TrainingImages), CPU);
        using var _images = images;
        using var _labels = labels;
        double load = Lap(clock);

        long count = images.shape[0];
        int batches = (int)((count + s.BatchSize - 1) / s.BatchSize);
        using var optimizer = optim.SGD(model.parameters(), s.LearningRate, s.Momentum, weight_decay: s.WeightDecay, nesterov: s.Nesterov);
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, s.Epochs * batches);
        var order = new Random(SeedMixer.ToInt32(seed));
        model.train();
        for (int epoch = 0; epoch < s.Epochs; epoch++)
        {
            var permutation = Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
            order.Shuffle(permutation);
            using var permuted = tensor(permutation);
            for (int b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                long start = (long)b * s.BatchSize, length = Math.Min(s.BatchSize, count - start);
                var index = permuted.narrow(0, start, length);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(images.index_select(0, index)), labels.index_select(0, index));
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), s.GradientClip);
                optimizer.step();
                schedule.step();
            }
        }
        double train = Lap(clock);

        var (vImages, vLabels) = TensorLoader.Load(data.Train, split.SearchValidation.AsSpan(0, s.ValidationImages), CPU);
        using var _vImages = vImages;
        using var _vLabels = vLabels;
        model.eval();
        long correct = 0;
        using (no_grad())
        {
            for (long start = 0; start < vImages.shape[0]; start += ValidationBatch)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(ValidationBatch, vImages.shape[0] - start);
                var logits = model.call(vImages.narrow(0, start, length));
                correct += logits.argmax(1).eq(vLabels.narrow(0, start, length)).sum().item<long>();
            }
        }
        double validate = Lap(clock);
        return new RawResult(build, load, train, validate, (double)correct / vImages.shape[0]);
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    private sealed record PeerResult(string Torch, List<double> ImagesPerSecond, List<double> TrainImagesPerSecond, double LastAccuracy);

    private static (PeerResult?, string?) RunPythonPeer(int repeats)
    {
        if (!File.Exists(Python)) return (null, $"PyTorch peer not run: {Python} not found (apt-get install python3 python3-torch).");
        string? root = FindRepoRoot();
        if (root is null) return (null, "PyTorch peer not run: repository root (folder with Nas.Sandbox.sln) not found above " + AppContext.BaseDirectory);
        string script = Path.Combine(root, "bench", "pytorch_peer.py");
        if (!File.Exists(script)) return (null, $"PyTorch peer not run: {script} not found.");

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        foreach (string a in new[] { script, "--repeats", repeats.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string err = stderr.Result;
        if (process.ExitCode == 3 || err.Contains("No module named 'torch'"))
            return (null, "PyTorch peer not run: python3 has no torch module (apt-get install python3-torch).");
        string? json = stdout.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (process.ExitCode != 0 || json is null)
            return (null, $"PyTorch peer failed (exit {process.ExitCode}): {err.Trim().Split('\n').LastOrDefault()}");
        foreach (string line in err.Split('\n').Where(l => l.StartsWith("pytorch ", StringComparison.Ordinal))) Console.WriteLine("  " + line);
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        List<double> List(string name) => r.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToList();
        return (new PeerResult(r.GetProperty("torch").GetString() ?? "?", List("images_per_s"), List("train_images_per_s"),
            r.GetProperty("val_acc").EnumerateArray().Last().GetDouble()), null);
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nas.Sandbox.sln"))) return dir.FullName;
        return null;
    }

    private static double WorkingSetMiB()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024.0 * 1024.0);
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static string MedianMs(List<RawResult> results, Func<RawResult, double> section) =>
        (Median(results.Select(section).ToList()) * 1000).ToString("F0", CultureInfo.InvariantCulture);

    private static string[] Row(string runner, string timed, List<double> rates, double reference) =>
    [
        runner, timed, Median(rates).ToString("F1", CultureInfo.InvariantCulture), rates.Min().ToString("F1", CultureInfo.InvariantCulture),
        rates.Max().ToString("F1", CultureInfo.InvariantCulture), (Median(rates) / reference).ToString("F3", CultureInfo.InvariantCulture),
    ];

    private static void PrintTable(List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            var cells = rows[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            Console.WriteLine(string.Join("  ", cells).TrimEnd());
            if (i == 0) Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}
