using System.Globalization;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// Adds latency columns to an existing tabular benchmark (<c>nas tabulate --add-latency TABLE</c>): for each row, the
/// median forward milliseconds of its network at batch 1 and 64 on the current device (see <see cref="LatencyMeter"/>),
/// written to <c>latency_ms_b1</c> and <c>latency_ms_b64</c> (or the columns the table's mapping names), appended to the
/// header when missing. Discarded measurements of the first row for 3 s warm the process up. Every other field is kept
/// as it was. Resumable: the file is rewritten atomically every
/// <see cref="SaveEvery"/> rows, and rows that already have both values are skipped.
/// </summary>
public static class TableLatency
{
    public const string Batch1Column = "latency_ms_b1",
        Batch64Column = "latency_ms_b64";
    public const string Format = "0.####";
    public const int SaveEvery = 25;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Measures the rows of <paramref name="path"/> missing a latency; <paramref name="measure"/> gives (batch 1, batch 64)
    /// ms for an architecture; <paramref name="progress"/> hears (done, total, architecture, b1, b64). Returns the rows measured.
    /// </summary>
    public static int Add(
        string path,
        Func<string, Architecture> parse,
        Func<Architecture, (double Batch1, double Batch64)> measure,
        Action<int, int, string, double, double>? progress = null,
        CancellationToken cancellation = default
    )
    {
        TabularTable.RequireFile(path);
        var columns = TableColumns.For(path, null, null);
        var records = CsvFormat.ReadFile(path).ToList();
        if (records.Count == 0)
            throw new NasException($"{path}:1: the table is empty (no header line).");
        var header = records[0].Fields.ToList();
        int arch = header.FindIndex(h => h.Trim() == columns.Architecture);
        if (arch < 0)
            throw new NasException(
                $"{path}:1: no column '{columns.Architecture}' (arch) in the header; the columns are {string.Join(", ", header)}."
            );
        // Field counts are checked against the file's own header, before this command appends its columns: a row
        // with more fields than the header is refused, never read as latencies.
        int original = header.Count;
        int b1 = Column(header, columns.LatencyBatch1 ?? Batch1Column),
            b64 = Column(header, columns.LatencyBatch64 ?? Batch64Column);
        // Latency columns at the end of the file's header may be missing from rows written before them.
        int shortest = original;
        while (shortest > 0 && (shortest - 1 == b1 || shortest - 1 == b64))
            shortest--;

        var rows = new List<List<string>>();
        foreach (var (line, fieldArray) in records.Skip(1))
        {
            var fields = fieldArray.ToList();
            if (fields.Count < shortest || fields.Count > original)
                throw new NasException($"{path}:{line}: {fields.Count} fields, but the header has {original}.");
            // Columns appended by this command are missing from rows written before it.
            while (fields.Count < header.Count)
                fields.Add("");
            rows.Add(fields);
        }
        var todo = rows.Where(r => r[b1].Trim().Length == 0 || r[b64].Trim().Length == 0).ToList();
        // The first networks of a process run slower than the rest (thread pool, allocator, kernel selection are cold,
        // beyond what per-network warm-up passes settle). One discarded measurement was not enough: on the shipped table
        // the first 7 rows still measured 2-8x their peers at batch 64. So the first row is measured, and discarded,
        // for 3 seconds.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        if (todo.Count > 0)
            do measure(ParseRow(todo[0]));
            while (warmUp.Elapsed < WarmUp);
        int done = 0;
        foreach (var row in todo)
        {
            cancellation.ThrowIfCancellationRequested();
            var architecture = ParseRow(row);
            var (ms1, ms64) = measure(architecture);
            row[b1] = ms1.ToString(Format, CultureInfo.InvariantCulture);
            row[b64] = ms64.ToString(Format, CultureInfo.InvariantCulture);
            done++;
            progress?.Invoke(done, todo.Count, architecture.Key, ms1, ms64);
            if (done % SaveEvery == 0)
                Save(path, header, rows);
        }
        Save(path, header, rows);
        return done;

        Architecture ParseRow(List<string> row)
        {
            try
            {
                return parse(row[arch].Trim());
            }
            catch (ArchitectureFormatException e)
            {
                throw new NasException($"{path}, row {row[arch].Trim()}: {e.Message}");
            }
        }
    }

    private static int Column(List<string> header, string name)
    {
        int index = header.FindIndex(h => h.Trim() == name);
        if (index >= 0)
            return index;
        header.Add(name);
        return header.Count - 1;
    }

    private static void Save(string path, List<string> header, List<List<string>> rows)
    {
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
            CsvFormat.Write(writer, header, rows);
        File.Move(temporary, path, overwrite: true);
    }
}
