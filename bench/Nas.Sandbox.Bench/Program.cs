using System.Diagnostics;
using System.Globalization;
using System.Text;
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
/// Training throughput of the same NB201 network on the same data, in one run: <see cref="TrainingEstimator.Evaluate"/>
/// (E), the minimal hand-written TorchSharp loop doing the same work (R: same network, weights, split, batch order,
/// optimiser, schedule, clipping and validation), and Debian's PyTorch running bench/pytorch_peer.py as a resident
/// child process (P). Every round runs each runner once, rotating who goes first, so that the machine's drift and
/// noise hit all of them alike.
/// </summary>
public static class Program
{
    private const string ReferenceArchitecture =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private const long Seed = 1,
        DataSeed = 1;
    private const int ValidationBatch = 500; // as TrainingEstimator.Measure
    private const string Usage =
        "usage: Nas.Sandbox.Bench [--repeats N (default 5)] [--warmup N (default 2)] [--no-python]";

    public static int Main(string[] args)
    {
        Nas.Sandbox.Core.Evaluation.TorchRuntime.Configure();

        int repeats = 5,
            warmups = 2;
        bool python = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n >= 1:
                    repeats = n;
                    i++;
                    break;
                case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], out int w) && w >= 0:
                    warmups = w;
                    i++;
                    break;
                case "--no-python":
                    python = false;
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        var settings = new TrainingSettings();
        var data = FashionMnist.Load();
        var architecture = new Nb201Space().Parse(ReferenceArchitecture);
        var estimator = new TrainingEstimator(data, OperationRegistry.CreateDefault(), settings);
        long images = (long)settings.TrainingImages * settings.Epochs;

        Console.WriteLine(
            $"Nas.Sandbox.Bench: TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (libtorch CPU), "
                + $".NET {Environment.Version}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, "
                + $"ATEN_CPU_CAPABILITY={Env("ATEN_CPU_CAPABILITY")}, ONEDNN_MAX_CPU_ISA={Env("ONEDNN_MAX_CPU_ISA")}"
        );
        Console.WriteLine($"architecture {ReferenceArchitecture}");
        Console.WriteLine(
            $"C={settings.Channels}, N={settings.CellsPerStage}, {settings.Epochs} epoch x {settings.TrainingImages} images, "
                + $"batch {settings.BatchSize}, SGD lr {settings.LearningRate} momentum {settings.Momentum} nesterov={settings.Nesterov} "
                + $"wd {settings.WeightDecay}, cosine, clip {settings.GradientClip}; validation {settings.ValidationImages} images"
        );

        PythonPeer? peer = null;
        string? peerNote = python ? null : "PyTorch peer skipped (--no-python).";
        if (python)
        {
            (peer, peerNote) = PythonPeer.Start();
            if (peer is not null)
                Console.WriteLine($"PyTorch peer: {peer.Description}");
        }

        var rawSections = new List<RawResult>();
        var runners = new List<Runner> { new("E", "estimator", "whole Evaluate()", () =>
            {
                var clock = Stopwatch.StartNew();
                var result = estimator.Evaluate(
                    architecture,
                    new EvaluationRequest { Seed = Seed, DataSeed = DataSeed }
                );
                double seconds = clock.Elapsed.TotalSeconds;
                if (result.Status != TrialStatus.Ok)
                    throw new InvalidOperationException($"estimator evaluation was {result.Status}: {result.Message}");
                return new Sample(seconds, null, result.Metrics.ValidationAccuracy ?? double.NaN);
            }), new("R", "raw TorchSharp loop", "build+load+train+validate", () =>
            {
                var raw = RawLoop(data, architecture, settings, Seed, DataSeed);
                rawSections.Add(raw);
                return new Sample(raw.Total, raw.Train, raw.Accuracy);
            }) };
        if (peer is not null)
            runners.Add(new("P", $"PyTorch {peer.TorchVersion} (Debian)", "build+train+validate", peer.Run));

        Console.WriteLine(
            $"{warmups} warm-up round(s), then {repeats} measured rounds; each round runs "
                + $"{string.Join(", ", runners.Select(r => $"{r.Key} = {r.Name}"))} once, rotating which goes first"
        );
        Console.WriteLine();

        var rss = new List<string>();
        var rssMeasured = new List<double>();
        var otherLoad = new List<double>();
        var pairRatios = new List<double>();
        for (int round = 0; round < warmups + repeats; round++)
        {
            bool warmUp = round < warmups;
            string tag = warmUp ? $"warm-up {round + 1}" : $"rep {round - warmups + 1}";
            var order = runners.Skip(round % runners.Count).Concat(runners.Take(round % runners.Count)).ToList();
            var cpu = CpuSnapshot.Take(peer?.ProcessId);
            var samples = new Dictionary<string, Sample>();
            foreach (var runner in order)
            {
                try
                {
                    samples[runner.Key] = runner.Run();
                }
                catch (Exception e) when (runner.Key == "P")
                {
                    // The peer is a guest: losing it ends its column, not the benchmark.
                    peerNote = $"PyTorch peer stopped in {tag}: {e.Message}";
                    runners.Remove(runner);
                    runner.Samples.Clear();
                }
            }
            double others = cpu.OtherProcessesCores();
            double mib = WorkingSetMiB();
            rss.Add($"{tag}: {mib:F0}" + (peer?.ResidentMiB() is { } p ? $"/{p:F0}" : ""));

            var line = new StringBuilder(
                $"  {tag, -9} order {string.Join(",", order.Where(r => samples.ContainsKey(r.Key)).Select(r => r.Key)), -5}"
            );
            foreach (var runner in runners.Where(r => samples.ContainsKey(r.Key)))
            {
                var s = samples[runner.Key];
                line.Append(
                    CultureInfo.InvariantCulture,
                    $"  {runner.Key} {s.Total, 5:F2} s {images / s.Total, 6:F0} img/s"
                );
            }
            line.Append(CultureInfo.InvariantCulture, $"  | RSS {mib:F0} MiB, other processes {others:F2} cores");
            Console.WriteLine(line);
            if (warmUp)
                continue;
            foreach (var runner in runners.Where(r => samples.ContainsKey(r.Key)))
                runner.Samples.Add(samples[runner.Key]);
            pairRatios.Add(samples["R"].Total / samples["E"].Total);
            rssMeasured.Add(mib);
            otherLoad.Add(others);
        }
        peer?.Dispose();

        // What Evaluate does beyond the raw loop: the FLOPs/parameter count (a hooked forward pass of one image).
        double countMs;
        {
            using var model = estimator.Build(architecture, settings, Seed);
            ModelCounter.Count(model, data.Train.Channels, data.Train.Height);
            var clock = Stopwatch.StartNew();
            const int countRuns = 5;
            for (int i = 0; i < countRuns; i++)
                ModelCounter.Count(model, data.Train.Channels, data.Train.Height);
            countMs = clock.Elapsed.TotalMilliseconds / countRuns;
        }

        // ---- report ----
        var raw = runners.Single(r => r.Key == "R");
        double rawMedian = Median(raw.Samples.Select(s => images / s.Total).ToList());
        double rawTrainMedian = Median(raw.Samples.Select(s => images / s.Train!.Value).ToList());
        List<string[]> rows =
        [
            ["runner", "timed", "median img/s", "min", "max", "ratio to raw"],
        ];
        foreach (var runner in runners)
            rows.Add(Row(runner.Name, runner.Timed, runner.Samples.Select(s => images / s.Total).ToList(), rawMedian));
        foreach (var runner in runners.Where(r => r.Samples.All(s => s.Train is not null)))
            rows.Add(
                Row(
                    runner.Name,
                    "training phase only",
                    runner.Samples.Select(s => images / s.Train!.Value).ToList(),
                    rawTrainMedian
                )
            );

        Console.WriteLine();
        Console.WriteLine(
            $"img/s = {settings.TrainingImages} training images x {settings.Epochs} epoch / wall seconds of what is timed "
                + $"(the {settings.ValidationImages}-image validation is inside the time but not counted as images)"
        );
        Console.WriteLine("ratio = median img/s / median img/s of the raw TorchSharp loop timed the same way");
        PrintTable(rows);
        Console.WriteLine();
        Console.WriteLine(
            $"estimator/raw paired per round (cancels drift between rounds): median {Median(pairRatios):F3}, "
                + $"min {pairRatios.Min():F3}, max {pairRatios.Max():F3}  [{string.Join(" ", pairRatios.Select(F3))}]"
        );
        var sections = rawSections.Skip(warmups).ToList();
        Console.WriteLine(
            $"raw loop sections (median ms): build {MedianMs(sections, r => r.Build)}, load {MedianMs(sections, r => r.Load)}, "
                + $"train {MedianMs(sections, r => r.Train)}, validate {MedianMs(sections, r => r.Validate)}"
        );
        Console.WriteLine(
            $"work only the estimator does: FLOPs/parameter count (ModelCounter.Count) {countMs:F1} ms per evaluation"
        );
        Console.WriteLine(
            "validation accuracy (last round): "
                + string.Join(", ", runners.Select(r => $"{r.Key} {r.Samples[^1].Accuracy:F4}"))
                + (peer is not null && runners.Any(r => r.Key == "P") ? " (P: own weights init and split)" : "")
        );
        Console.WriteLine(
            $"CPU taken by other processes during the measured rounds: mean {otherLoad.Average():F2}, max {otherLoad.Max():F2} "
                + $"of {Environment.ProcessorCount} cores"
        );
        if (peerNote is not null)
            Console.WriteLine(peerNote);
        Console.WriteLine();
        Console.WriteLine(
            $"RSS after each round (MiB, bench process{(peer is not null ? "/PyTorch peer" : "")}): {string.Join("  ", rss)}"
        );
        Console.WriteLine(
            $"bench RSS over the measured rounds: min {rssMeasured.Min():F0}, max {rssMeasured.Max():F0}, "
                + $"first {rssMeasured[0]:F0} -> last {rssMeasured[^1]:F0} MiB ({rssMeasured[^1] - rssMeasured[0]:+0;-0;0} MiB)"
        );
        return 0;
    }

    private sealed record Sample(double Total, double? Train, double Accuracy);

    private sealed record Runner(string Key, string Name, string Timed, Func<Sample> Run)
    {
        public List<Sample> Samples { get; } = new();
    }

    private sealed record RawResult(double Build, double Load, double Train, double Validate, double Accuracy)
    {
        public double Total => Build + Load + Train + Validate;
    }

    /// <summary>
    /// The minimal TorchSharp loop: same network, initial weights (same seed), split, batch order (same shuffle as the
    /// estimator, so results match it exactly), optimiser, cosine schedule and clipping; one dispose scope per batch;
    /// then the validation pass under no_grad.
    /// </summary>
    private static RawResult RawLoop(
        DatasetBundle data,
        Architecture architecture,
        TrainingSettings s,
        long seed,
        long dataSeed
    )
    {
        var clock = Stopwatch.StartNew();
        manual_seed(seed);
        using var model = new Nb201Network(
            architecture,
            new NetworkSettings(
                s.Channels,
                s.CellsPerStage,
                data.Train.Channels,
                data.Train.Height,
                data.Train.Classes
            ),
            OperationRegistry.CreateDefault()
        );
        double build = Lap(clock);

        var split = DataSplit.Create(data.Train.Count, (int)Math.Round(data.Train.Count * s.ValidationShare), dataSeed);
        var trainSet = TensorLoader.Load(data.Train, split.SearchTrain.AsSpan(0, s.TrainingImages), CPU);
        using var images = trainSet.Images;
        using var labels = trainSet.Labels;
        double load = Lap(clock);

        long count = images.shape[0];
        int batches = (int)((count + s.BatchSize - 1) / s.BatchSize);
        using var optimizer = optim.SGD(
            model.parameters(),
            s.LearningRate,
            s.Momentum,
            weight_decay: s.WeightDecay,
            nesterov: s.Nesterov
        );
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
                long start = (long)b * s.BatchSize,
                    length = Math.Min(s.BatchSize, count - start);
                var index = permuted.narrow(0, start, length);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(
                    model.call(images.index_select(0, index)),
                    labels.index_select(0, index)
                );
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), s.GradientClip);
                optimizer.step();
                schedule.step();
            }
        }
        double train = Lap(clock);

        var validationSet = TensorLoader.Load(data.Train, split.SearchValidation.AsSpan(0, s.ValidationImages), CPU);
        using var vImages = validationSet.Images;
        using var vLabels = validationSet.Labels;
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

    /// <summary>
    /// bench/pytorch_peer.py in <c>--serve</c> mode: loads the data once, then runs one evaluation per "run" line on
    /// its stdin and answers with one JSON line. It idles on stdin while the C# runners work, and the C# side idles
    /// while it works, so the three share the same machine moments.
    /// </summary>
    private sealed class PythonPeer : IDisposable
    {
        private const string Python = "/usr/bin/python3";
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private PythonPeer(Process process) => _process = process;

        public string TorchVersion { get; private set; } = "?";
        public int? ProcessId => _process.HasExited ? null : _process.Id;
        public string Description { get; private set; } = "";

        public static (PythonPeer?, string?) Start()
        {
            if (!File.Exists(Python))
                return (null, $"PyTorch peer not run: {Python} not found (apt-get install python3 python3-torch).");
            string? root = FindRepoRoot();
            if (root is null)
                return (
                    null,
                    $"PyTorch peer not run: no folder with Nas.Sandbox.sln above {AppContext.BaseDirectory}."
                );
            string script = Path.Combine(root, "bench", "pytorch_peer.py");
            if (!File.Exists(script))
                return (null, $"PyTorch peer not run: {script} not found.");

            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = root,
            };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add("--serve");
            start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            var peer = new PythonPeer(Process.Start(start)!);
            peer._process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                    lock (peer._stderr)
                        peer._stderr.AppendLine(e.Data);
            };
            peer._process.BeginErrorReadLine();
            string? ready = peer._process.StandardOutput.ReadLine();
            if (ready is null)
            {
                peer._process.WaitForExit();
                string err = peer.LastError();
                peer.Dispose();
                return (
                    null,
                    peer._process.ExitCode == 3
                        ? $"PyTorch peer not run: /usr/bin/python3 cannot import torch/numpy ({err}); apt-get install python3-torch python3-numpy."
                        : $"PyTorch peer failed to start (exit {peer._process.ExitCode}): {err}"
                );
            }
            using var doc = JsonDocument.Parse(ready);
            var r = doc.RootElement;
            peer.TorchVersion = r.GetProperty("torch").GetString() ?? "?";
            peer.Description =
                $"torch {peer.TorchVersion}, {r.GetProperty("threads").GetInt32()} threads, "
                + $"ATEN_CPU_CAPABILITY={r.GetProperty("aten_cpu_capability").GetString()}, "
                + $"ONEDNN_MAX_CPU_ISA={r.GetProperty("onednn_max_cpu_isa").GetString()} (pid {peer._process.Id})";
            return (peer, null);
        }

        public Sample Run()
        {
            _process.StandardInput.WriteLine("run");
            _process.StandardInput.Flush();
            string line = _process.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"the peer exited: {LastError()}");
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.TryGetProperty("error", out var error))
                throw new InvalidOperationException(error.GetString());
            return new Sample(
                r.GetProperty("total").GetDouble(),
                r.GetProperty("train").GetDouble(),
                r.GetProperty("acc").GetDouble()
            );
        }

        public double? ResidentMiB()
        {
            try
            {
                if (_process.HasExited)
                    return null;
                foreach (string l in File.ReadLines($"/proc/{_process.Id}/status"))
                    if (l.StartsWith("VmRSS:", StringComparison.Ordinal))
                        return long.Parse(
                                l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                                CultureInfo.InvariantCulture
                            ) / 1024.0;
            }
            catch (IOException) { }
            return null;
        }

        private string LastError()
        {
            lock (_stderr)
                return _stderr.ToString().Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.WriteLine("quit");
                    _process.StandardInput.Close();
                    if (!_process.WaitForExit(10_000))
                        _process.Kill();
                }
            }
            catch (IOException) { }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nas.Sandbox.sln")))
                return dir.FullName;
        return null;
    }

    /// <summary>
    /// Machine-wide busy CPU time (/proc/stat) and the CPU time of this process and of the PyTorch peer at one moment;
    /// over a round, the difference is what other processes took: a direct measure of noise.
    /// </summary>
    private readonly record struct CpuSnapshot(double MachineBusySeconds, double OwnSeconds, long Timestamp, int? Peer)
    {
        public static CpuSnapshot Take(int? peer)
        {
            double busy = double.NaN;
            try
            {
                // cpu  user nice system idle iowait irq softirq steal ... (in USER_HZ = 1/100 s)
                var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
                busy = (Field(1) + Field(2) + Field(3) + Field(6) + Field(7)) / 100.0;
            }
            catch (IOException) { }
            using var self = Process.GetCurrentProcess();
            return new CpuSnapshot(
                busy,
                self.TotalProcessorTime.TotalSeconds + ProcessCpuSeconds(peer),
                Stopwatch.GetTimestamp(),
                peer
            );
        }

        // utime + stime of another process (fields 14 and 15 of /proc/PID/stat, after the parenthesised name).
        private static double ProcessCpuSeconds(int? pid)
        {
            if (pid is null)
                return 0;
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (
                        long.Parse(f[11], CultureInfo.InvariantCulture)
                        + long.Parse(f[12], CultureInfo.InvariantCulture)
                    ) / 100.0;
            }
            catch (IOException)
            {
                return 0;
            }
        }

        /// <summary>Average number of cores kept busy by other processes since this snapshot.</summary>
        public double OtherProcessesCores()
        {
            var now = Take(Peer);
            double wall = Stopwatch.GetElapsedTime(Timestamp, now.Timestamp).TotalSeconds;
            return Math.Max(0, (now.MachineBusySeconds - MachineBusySeconds - (now.OwnSeconds - OwnSeconds)) / wall);
        }
    }

    private static double WorkingSetMiB()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024.0 * 1024.0);
    }

    private static string Env(string name) => Environment.GetEnvironmentVariable(name) ?? "(unset)";

    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

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
            runner,
            timed,
            Median(rates).ToString("F1", CultureInfo.InvariantCulture),
            rates.Min().ToString("F1", CultureInfo.InvariantCulture),
            rates.Max().ToString("F1", CultureInfo.InvariantCulture),
            F3(Median(rates) / reference),
        ];

    private static void PrintTable(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            var cells = rows[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            Console.WriteLine(string.Join("  ", cells).TrimEnd());
            if (i == 0)
                Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}
