using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Racing.Tracking;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Every CSV the project writes reads back through <see cref="CsvFormat"/> (RFC 4180 both ways): a value with a comma,
/// a quote and a line break survives each writer → reader pair.
/// </summary>
public sealed class CsvFormatTests : IDisposable
{
    /// <summary>A comma, doubled and lone quotes, LF and CRLF line breaks, spaces at both ends, and a leading minus.</summary>
    private const string Awkward = " -1,\"two\" and \"\"three\"\"\nfour\r\nfive ";
    private static readonly string[] Ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
    private const string A = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|";
    private const string B = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-csv-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Text_and_line_read_back_field_for_field()
    {
        string[] header = ["name", "empty", "note"];
        string[][] rows =
        [
            [Awkward, "", "=SUM(A1)"],
            ["plain", "x", "-5"],
        ];
        string text = CsvFormat.Text(header, rows);
        text.Should()
            .StartWith("name,empty,note\n\"")
            .And.EndWith("-5\n", "values are written as they are: no formula escaping");
        var records = CsvFormat.ReadText(text, "t.csv").ToList();
        records.Select(r => r.Fields).Should().BeEquivalentTo([header, .. rows], o => o.WithStrictOrdering());
        records.Select(r => r.Line).Should().Equal([1, 2, 5], "lines count the ones inside a quoted field");
        CsvFormat.ParseLine(CsvFormat.Line(rows[0])).Should().Equal(rows[0]);
    }

    [Theory]
    [InlineData("a,b\n1,\"2\n3,4\n", "t.csv:2: a quoted field is not closed.")]
    [InlineData("a,b\n1,2\n3,x\"y\n", "t.csv:3: a quote inside an unquoted field*")]
    [InlineData("a,b\n\"1\"x,2\n", "t.csv:2: text after the closing quote*")]
    public void Malformed_quoting_is_an_error_naming_the_file_and_line(string text, string expected)
    {
        FluentActions
            .Invoking(() => CsvFormat.ReadText(text, "t.csv").ToList())
            .Should()
            .Throw<NasException>()
            .WithMessage(expected);
    }

    [Fact]
    public void The_race_reports_trials_csv_reads_back()
    {
        var trial = new Trial
        {
            Index = 3,
            Architecture = new Architecture(A, ["x"]),
            Status = TrialStatus.Failed,
            Message = Awkward,
            Metrics = new Metrics { ValidationAccuracy = 0.5 },
            CostSeconds = 1.25,
            Fidelity = new Fidelity(),
        };
        var time = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var records = CsvFormat
            .ReadText(RaceReport.Csv([new TrialLine(Awkward, 1, trial, time)]), "trials.csv")
            .ToList();
        records[0].Fields.Should().Equal(RaceReport.CsvColumns);
        var row = records[1].Fields;
        row.Should().HaveCount(RaceReport.CsvColumns.Length);
        row[Array.IndexOf(RaceReport.CsvColumns, "contestant")].Should().Be(Awkward);
        row[Array.IndexOf(RaceReport.CsvColumns, "message")].Should().Be(Awkward);
        row[Array.IndexOf(RaceReport.CsvColumns, "architecture")].Should().Be(A);
    }

    [Fact]
    public void The_pareto_csv_reads_back()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,params");
        var point = new ParetoPoint(2, A, [0.5, -1.5]);
        var fronts = new[] { new ContestantFronts(Awkward, [(0, (IReadOnlyList<ParetoPoint>)[point])], [(0, point)]) };
        var records = CsvFormat.ReadText(ParetoFronts.Csv(objective, fronts), "fronts.csv").ToList();
        records[0].Fields.Should().Equal(ParetoFronts.Header(objective));
        records.Skip(1).Select(r => r.Fields[0]).Should().Equal(Awkward, Awkward);
        records[1].Fields[1..].Should().Equal("0", "0", "2", A, "0.5", "1.5");
    }

    [Fact]
    public void The_estimators_report_csv_reads_back()
    {
        var records = CsvFormat
            .ReadText(EstimatorReport.Csv([new EstimatorQuality(Awkward, 10, 1, 0.5, 0.25, 0.125)]), "e.csv")
            .ToList();
        records[0].Fields.Should().Equal(EstimatorReport.CsvColumns);
        records[1].Fields.Should().Equal(Awkward, "10", "1", "0.5", "0.25", "0.125");
    }

    [Fact]
    public void A_table_keeps_an_awkward_column_through_adding_latency_and_loads_with_physical_line_numbers()
    {
        string path = Path.Combine(_folder, "t.csv");
        File.WriteAllText(
            path,
            CsvFormat.Text(
                ["arch", "validation_accuracy", "note"],
                [
                    [A, "0.75", Awkward],
                    [B, "0.5", "plain"],
                ]
            )
        );
        var space = new Nas.Sandbox.Core.Spaces.Nb201Space(Ops);
        TableLatency.Add(path, key => space.Parse(key), _ => (1.5, 2.5)).Should().Be(2);

        var records = CsvFormat.ReadFile(path).ToList();
        records[0].Fields.Should().Equal("arch", "validation_accuracy", "note", "latency_ms_b1", "latency_ms_b64");
        records[1].Fields.Should().Equal(A, "0.75", Awkward, "1.5", "2.5");
        var table = TabularTable.Load(path, TableColumns.For(path, null, null), Ops);
        table.Find(A)!.LatencyMs.Should().Be(1.5);
        table.Find(B)!.Line.Should().Be(5, "the note of line 2 spans lines 2-4");

        File.AppendAllText(path, $"{A},abc,x,1,2\n");
        FluentActions
            .Invoking(() => TabularTable.Load(path, TableColumns.For(path, null, null), Ops))
            .Should()
            .Throw<NasException>()
            .WithMessage($"{path}:6, column 'validation_accuracy': 'abc' is not a number.");
    }

    [Fact]
    public void Tabulate_resumes_from_the_rows_it_wrote()
    {
        string path = Path.Combine(_folder, "tab.csv");
        Tabulator.Prepare(path, seeds: 1).Should().BeEmpty();
        var row = Enumerable.Repeat("", Tabulator.Header(1).Length).ToArray();
        row[0] = A;
        Tabulator.Append(path, CsvFormat.Line(row));
        File.AppendAllText(path, B + ",0.5"); // torn: a kill mid-write
        Tabulator.Prepare(path, seeds: 1).Should().BeEquivalentTo([A]);
        File.ReadAllText(path).Should().EndWith("\n").And.NotContain(B);
    }
}
