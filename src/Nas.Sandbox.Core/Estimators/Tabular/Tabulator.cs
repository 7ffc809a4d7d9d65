using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Journal;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// Builds a tabular benchmark: evaluates architectures with the training estimator, once per seed, and appends one CSV
/// row per architecture (means over seeds, then the per-seed values), flushed to disk as soon as it is measured.
/// Resumable: architectures already in the file are skipped, and a torn last line (a kill mid-write) is cut off.
/// <para>Columns: <c>arch, validation_accuracy, test_accuracy, train_seconds, params, flops, status</c>, then
/// <c>validation_accuracy_seed{s}, test_accuracy_seed{s}, train_seconds_seed{s}</c> per seed. A seed whose training
/// diverged or failed scores chance level (1/classes) and the row's status says so. With <paramref name="latency"/>,
/// <c>latency_ms_b1, latency_ms_b64</c> follow <c>flops</c>: median forward milliseconds at batch 1 and 64, measured
/// apart from training (not in <c>train_seconds</c>). With <paramref name="curve"/>, <c>validation_curve</c> and
/// <c>train_seconds_curve</c> follow <c>status</c>: the seed-mean validation accuracy after each epoch, and the seconds
/// from the start of training to the end of each epoch's validation, <c>;</c>-separated (a diverged seed's epochs count
/// at chance level, and its last time stands for the epochs it did not reach).</para>
/// </summary>
public sealed class Tabulator(
    TrainingEstimator estimator,
    int seeds,
    int testImages,
    long masterSeed,
    int classes,
    LatencySettings? latency = null,
    bool curve = false
)
{
    public const string CurveColumn = "validation_curve";
    public const string SecondsCurveColumn = "train_seconds_curve";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string[] Header(int seeds, bool latency = false, bool curve = false) =>
        [
            "arch",
            "validation_accuracy",
            "test_accuracy",
            "train_seconds",
            "params",
            "flops",
            .. latency ? new[] { TableLatency.Batch1Column, TableLatency.Batch64Column } : [],
            "status",
            .. curve ? new[] { CurveColumn, SecondsCurveColumn } : [],
            .. Enumerable
                .Range(0, seeds)
                .SelectMany(s =>
                    new[] { $"validation_accuracy_seed{s}", $"test_accuracy_seed{s}", $"train_seconds_seed{s}" }
                ),
        ];

    /// <summary>Architectures already in <paramref name="path"/> (after cutting a torn last line); creates the file with its header when new.</summary>
    public static HashSet<string> Prepare(string path, int seeds, bool latency = false, bool curve = false)
    {
        var header = Header(seeds, latency, curve);
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            File.WriteAllText(path, CsvFormat.Text(header, []));
            return new HashSet<string>(StringComparer.Ordinal);
        }
        string text = File.ReadAllText(path);
        // Check the header before any repair: a file that is not a table is refused untouched.
        int firstNewline = text.IndexOf('\n');
        List<CsvRecord> head;
        try
        {
            head = CsvFormat.ReadText(firstNewline < 0 ? text : text[..(firstNewline + 1)], path).ToList();
        }
        catch (NasException)
        {
            head = [];
        }
        if (head.Count == 0 || !head[0].Fields.SequenceEqual(header))
            throw NotATable(path, seeds, latency, curve);
        if (!text.EndsWith('\n'))
        {
            // A kill mid-write leaves a partial last row: drop it, it will be measured again. (Rows are appended whole,
            // so the file's last newline ends the last complete row.)
            int cut = text.LastIndexOf('\n') + 1;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
                stream.SetLength(cut);
            text = text[..cut];
        }
        var records = CsvFormat.ReadText(text, path).ToList();
        if (records.Count == 0 || !records[0].Fields.SequenceEqual(header))
            throw NotATable(path, seeds, latency, curve);
        return records.Skip(1).Select(r => r.Fields[0]).ToHashSet(StringComparer.Ordinal);
    }

    private static NasException NotATable(string path, int seeds, bool latency, bool curve) =>
        new(
            $"{path}:1: this file's header is not a table of {seeds} seed(s){(latency ? " with latency" : "")}{(curve ? " with curves" : "")} written by nas tabulate; "
                + "use another --output, or the same --seeds (and --latency, --curve) as before to resume."
        );

    /// <summary>Evaluates <paramref name="architecture"/> once per seed and returns its CSV row.</summary>
    public string Measure(Architecture architecture, CancellationToken cancellation = default) =>
        Measure(architecture, null, cancellation);

    /// <summary>As <see cref="Measure(Architecture, CancellationToken)"/>; <paramref name="problem"/> hears why a seed failed or diverged.</summary>
    public string Measure(
        Architecture architecture,
        Action<int, string>? problem,
        CancellationToken cancellation = default
    )
    {
        var validation = new double[seeds];
        var test = new double?[seeds];
        var seconds = new double[seeds];
        var curves = new double[seeds][];
        var curveSeconds = new double[seeds][];
        int epochs = estimator.Settings.Epochs;
        long? parameters = null,
            flops = null;
        string status = "ok";
        for (int s = 0; s < seeds; s++)
        {
            var request = new EvaluationRequest
            {
                Seed = SeedMixer.Derive(masterSeed, "tabulate", architecture.Key, s),
                DataSeed = masterSeed, // one data split for the whole table: rows differ by architecture and seed only
            };
            var (result, testAccuracy) = estimator.Evaluate(architecture, request, testImages, cancellation);
            parameters ??= result.Metrics.Parameters;
            flops ??= result.Metrics.Flops;
            seconds[s] = result.CostSeconds;
            curves[s] = Enumerable
                .Range(1, epochs)
                .Select(e =>
                    result.Curve.FirstOrDefault(p => p.Epoch == e)?.ValidationAccuracy is { } a && double.IsFinite(a)
                        ? a
                        : 1.0 / classes
                )
                .ToArray();
            curveSeconds[s] = Enumerable
                .Range(1, epochs)
                .Select(e => result.Curve.LastOrDefault(p => p.Epoch <= e)?.Seconds ?? result.CostSeconds)
                .ToArray();
            if (result.Status == TrialStatus.Ok)
            {
                validation[s] = result.Metrics.ValidationAccuracy!.Value;
                test[s] = testAccuracy;
            }
            else
            {
                validation[s] = 1.0 / classes;
                test[s] = testImages > 0 ? 1.0 / classes : null;
                status = JournalFormat.StatusName(result.Status);
                problem?.Invoke(s, $"{status}: {result.Message}");
            }
        }
        string F(double? v, string format = "0.######") => v?.ToString(format, Invariant) ?? "";
        var fields = new List<string>
        {
            architecture.Key,
            F(validation.Average()),
            F(test.All(t => t is not null) ? test.Average(t => t!.Value) : null),
            F(seconds.Average(), "0.###"),
            parameters?.ToString(Invariant) ?? "",
            flops?.ToString(Invariant) ?? "",
        };
        if (latency is not null)
        {
            var (b1, b64) = estimator.MeasureLatency(architecture, estimator.Settings, latency);
            fields.AddRange([F(b1, TableLatency.Format), F(b64, TableLatency.Format)]);
        }
        fields.Add(status);
        if (curve)
        {
            string Joined(double[][] values, string format) =>
                string.Join(';', Enumerable.Range(0, epochs).Select(e => F(values.Average(v => v[e]), format)));
            fields.AddRange([Joined(curves, "0.######"), Joined(curveSeconds, "0.###")]);
        }
        for (int s = 0; s < seeds; s++)
            fields.AddRange([F(validation[s]), F(test[s]), F(seconds[s], "0.###")]);
        return CsvFormat.Line(fields);
    }

    /// <summary>Appends a row and makes it durable: each row is seconds of compute.</summary>
    public static void Append(string path, string row)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = System.Text.Encoding.UTF8.GetBytes(row + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
