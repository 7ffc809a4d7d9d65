using System.Globalization;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Estimators.Tabular;

/// <summary>
/// One architecture of a tabular benchmark. Accuracies are fractions; <see cref="Line"/> is its line in the file.
/// <see cref="Validation"/>, <see cref="Test"/> and <see cref="Seconds"/> are the row's (seed-mean) values;
/// <see cref="Seeds"/> holds each training seed's own, when the table has per-seed columns.
/// </summary>
public sealed record TableRow(
    Architecture Architecture,
    double Validation,
    double? Test,
    double? Seconds,
    long? Parameters,
    long? Flops,
    IReadOnlyList<double>? Curve,
    int Line,
    double? LatencyMs = null,
    double? LatencyMsBatch64 = null,
    IReadOnlyList<TableSeed>? Seeds = null,
    IReadOnlyList<double>? SecondsCurve = null
);

/// <summary>One training seed's results for an architecture (columns <c>NAME_seed{s}</c>, as <c>nas tabulate</c> writes them).</summary>
public sealed record TableSeed(double Validation, double? Test, double? Seconds);

/// <summary>
/// A tabular benchmark: architectures of one space with their measured metrics, imported from CSV. The reader says
/// which space (<see cref="TableKeys"/>; NB201 cells by default). Every problem is reported with the file, line and
/// column: a missing or unknown column, a malformed row, a bad number, a key the space cannot parse (a table of another
/// space), a duplicate.
/// </summary>
public sealed class TabularTable
{
    private readonly Dictionary<string, TableRow> _rows;

    private TabularTable(
        string path,
        Dictionary<string, TableRow> rows,
        IReadOnlyList<string> operations,
        TableColumns columns,
        IReadOnlySet<string> present
    )
    {
        (Path, _rows, Operations, Columns, PresentKeys) = (path, rows, operations, columns, present);
    }

    /// <summary>The <see cref="TableColumns.Keys"/> whose column the file has (e.g. <c>latency1</c> when it has latency_ms_b1).</summary>
    public IReadOnlySet<string> PresentKeys { get; }

    public string Path { get; }
    public TableColumns Columns { get; }

    /// <summary>The space the table was read as (<see cref="TableKeys.Space"/>).</summary>
    public string Space { get; private init; } = "nb201";

    /// <summary>
    /// The choices the table's architectures use, in the space's order first (NB201's for cells): for a cell table, the
    /// operations a race on it searches.
    /// </summary>
    public IReadOnlyList<string> Operations { get; }
    public int Count => _rows.Count;
    public IEnumerable<TableRow> Rows => _rows.Values;
    public bool HasTest => _rows.Values.Any(r => r.Test is not null);

    /// <summary>The epochs every row's learning curve holds (0 when the table has no curves, or a row has none).</summary>
    public int CurveEpochs => _rows.Values.Min(r => r.Curve?.Count ?? 0);

    /// <summary>How many training seeds the table has per-seed columns for (0 when it has only one value per architecture).</summary>
    public int SeedCount { get; private init; }

    public TableRow? Find(Architecture architecture) => _rows.GetValueOrDefault(architecture.Key);

    public TableRow? Find(string key) => _rows.GetValueOrDefault(key);

    /// <summary>Refuses a table path that is not a file: a folder is said to be one, not to be missing.</summary>
    public static void RequireFile(string path)
    {
        if (Directory.Exists(path))
            throw new NasException($"Table {path} is a folder; give the table's CSV file.");
        if (!File.Exists(path))
            throw new NasException($"Table {path} does not exist.");
    }

    /// <summary>A table of NB201 cells.</summary>
    /// <param name="knownOperations">Operation names an architecture may use (built-in and from scripts).</param>
    public static TabularTable Load(string path, TableColumns columns, IReadOnlyCollection<string> knownOperations) =>
        Load(path, columns, TableKeys.Nb201(knownOperations));

    /// <summary>A table whose keys are architectures of <paramref name="keys"/>' space.</summary>
    public static TabularTable Load(string path, TableColumns columns, TableKeys keys)
    {
        RequireFile(path);
        using var records = CsvFormat.ReadFile(path).GetEnumerator();
        if (!records.MoveNext())
            throw new NasException($"{path}:1: the table is empty (no header line).");
        var header = records.Current.Fields;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
            if (!index.TryAdd(header[i].Trim(), i))
                throw new NasException($"{path}:1: column '{header[i].Trim()}' appears twice in the header.");

        int Required(string key, string name) =>
            index.TryGetValue(name, out int i)
                ? i
                : throw new NasException(
                    $"{path}:1: no column '{name}' ({key}) in the header; the columns are {string.Join(", ", header)}. "
                        + $"Map columns with {TableColumns.SidecarPath(System.IO.Path.GetFileName(path))} or --table-columns {key}=NAME."
                );
        int? Optional(string key, string? name) =>
            name is null ? null
            : index.TryGetValue(name, out int i) ? i
            : columns.Given.Contains(key) ? Required(key, name)
            : null;

        int arch = Required("arch", columns.Architecture),
            validation = Required("validation", columns.Validation);
        int? test = Optional("test", columns.Test),
            seconds = Optional("seconds", columns.Seconds),
            parameters = Optional("params", columns.Parameters),
            flops = Optional("flops", columns.Flops),
            curve = Optional("curve", columns.Curve),
            secondsCurve = Optional("seconds-curve", columns.SecondsCurve),
            latency1 = Optional("latency1", columns.LatencyBatch1),
            latency64 = Optional("latency64", columns.LatencyBatch64);
        var seedColumns = SeedColumns(columns, index);
        var present = new HashSet<string>(StringComparer.Ordinal) { "arch", "validation" };
        foreach (
            var (key, column) in new[]
            {
                ("test", test),
                ("seconds", seconds),
                ("params", parameters),
                ("flops", flops),
                ("curve", curve),
                ("seconds-curve", secondsCurve),
                ("latency1", latency1),
                ("latency64", latency64),
            }
        )
            if (column is not null)
                present.Add(key);
        var rows = new Dictionary<string, TableRow>(StringComparer.Ordinal);
        while (records.MoveNext())
        {
            var (lineNumber, fields) = records.Current;
            string where = $"{path}:{lineNumber}";
            if (fields.Length != header.Length)
                throw new NasException($"{where}: {fields.Length} fields, but the header has {header.Length}.");
            string field = fields[arch].Trim();
            Architecture architecture;
            try
            {
                architecture = keys.Parse(field);
            }
            catch (Exception e) when (e is ArchitectureFormatException or ArgumentException)
            {
                // The format error names the key and the position; a space's own check may not name the key.
                string problem = e is ArchitectureFormatException ? e.Message : $"'{field}': {e.Message}";
                throw new NasException(
                    $"{where}, column '{header[arch]}': {problem} This key is not an architecture of space "
                        + $"'{keys.Space}': is this a table of another --space?"
                );
            }
            // Rows are found by the space's canonical key (a space may read a key written another way).
            string key = architecture.Key;
            double Accuracy(int column, string text)
            {
                double value = Number(column, text) / (columns.Percent ? 100 : 1);
                if (value is < 0 or > 1)
                    throw new NasException(
                        $"{where}, column '{header[column]}': {text} is not an accuracy in [0, 1]"
                            + (
                                columns.Percent
                                    ? " percent/100."
                                    : "; if the table is in percent, say so (--table-percent, or \"percent\": true in the sidecar)."
                            )
                    );
                return value;
            }
            double Number(int column, string text) =>
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                && double.IsFinite(value)
                    ? value
                    : throw new NasException($"{where}, column '{header[column]}': '{text}' is not a number.");
            double? OptionalNumber(int? column) =>
                column is { } c && fields[c].Trim() is { Length: > 0 } text ? Number(c, text) : null;
            double? OptionalAccuracy(int? column) =>
                column is { } c && fields[c].Trim() is { Length: > 0 } text ? Accuracy(c, text) : null;
            long? OptionalCount(int? column) => OptionalNumber(column) is { } v ? (long)v : null;

            var row = new TableRow(
                architecture,
                Accuracy(validation, fields[validation].Trim()),
                OptionalAccuracy(test),
                OptionalNumber(seconds),
                OptionalCount(parameters),
                OptionalCount(flops),
                curve is { } cc && fields[cc].Trim() is { Length: > 0 } points
                    ? points.Split(';').Select(p => Accuracy(cc, p.Trim())).ToArray()
                    : null,
                lineNumber,
                OptionalNumber(latency1),
                OptionalNumber(latency64),
                seedColumns.Count == 0
                    ? null
                    : seedColumns
                        .Select(c => new TableSeed(
                            Accuracy(c.Validation, fields[c.Validation].Trim()),
                            OptionalAccuracy(c.Test),
                            OptionalNumber(c.Seconds)
                        ))
                        .ToArray(),
                secondsCurve is { } sc && fields[sc].Trim() is { Length: > 0 } times
                    ? times.Split(';').Select(t => Number(sc, t.Trim())).ToArray()
                    : null
            );
            if (row.Curve is { } accuracies && row.SecondsCurve is { } seconds2 && accuracies.Count != seconds2.Count)
                throw new NasException(
                    $"{where}: column '{header[curve!.Value]}' has {accuracies.Count} epochs but '{header[secondsCurve!.Value]}' has {seconds2.Count}."
                );
            if (row.Seconds is < 0)
                throw new NasException(
                    $"{where}, column '{header[seconds!.Value]}': training seconds cannot be negative."
                );
            if (!rows.TryAdd(key, row))
                throw new NasException($"{where}: architecture {key} is already on line {rows[key].Line}.");
        }
        if (rows.Count == 0)
            throw new NasException($"{path}: the table has a header but no rows.");
        // Fractions read as percent all land at or below 1 %, which no real table reaches (chance on 100 classes): every
        // lookup would be a hundred times too low, and the race would still run. Refused instead.
        if (columns.Percent && rows.Values.All(r => r.Validation <= 0.01))
            throw new NasException(
                $"{path}: read as percent, yet every '{header[validation]}' is at most 1 (best {(rows.Values.Max(r => r.Validation) * 100).ToString("0.####", CultureInfo.InvariantCulture)}): "
                    + "the table holds fractions already; drop --table-percent (or \"percent\": true in its sidecar)."
            );
        var used = rows.Values.SelectMany(r => r.Architecture.Choices).ToHashSet(StringComparer.Ordinal);
        var ordered = keys
            .Order.Where(used.Contains)
            .Concat(used.Where(op => !keys.Order.Contains(op)).Order(StringComparer.Ordinal))
            .ToArray();
        return new TabularTable(path, rows, ordered, columns, present)
        {
            SeedCount = seedColumns.Count,
            Space = keys.Space,
        };
    }

    /// <summary>
    /// The per-seed columns: <c>VALIDATION_seed0</c>, <c>VALIDATION_seed1</c>, ... (consecutive from 0), each with its
    /// <c>TEST_seed{s}</c> and <c>SECONDS_seed{s}</c> when the table has them, for the mapped column names.
    /// </summary>
    private static List<(int Validation, int? Test, int? Seconds)> SeedColumns(
        TableColumns columns,
        Dictionary<string, int> index
    )
    {
        var found = new List<(int, int?, int?)>();
        for (int s = 0; index.TryGetValue($"{columns.Validation}_seed{s}", out int validation); s++)
            found.Add((validation, Column(columns.Test, s), Column(columns.Seconds, s)));
        return found;

        int? Column(string? name, int s) =>
            name is not null && index.TryGetValue($"{name}_seed{s}", out int i) ? i : null;
    }
}
