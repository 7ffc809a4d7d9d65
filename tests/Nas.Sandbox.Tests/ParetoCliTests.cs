using System.Buffers.Binary;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Racing.Objectives;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>Pareto and scalarised races through `nas race`, as a user runs them, on the shipped table.</summary>
public sealed class ParetoCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-pareto-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    internal static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes
            .Take(8)
            .Should()
            .Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "a PNG starts with its signature");
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be("IHDR");
        return (
            BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)),
            BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))
        );
    }

    [Fact]
    public void A_pareto_race_ranks_by_hypervolume_states_the_reference_and_exports_csv_and_png()
    {
        string journal = Path.Combine(_folder, "race-pareto.jsonl");
        var (exit, stdout, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "pareto:accuracy,params",
            "--strategy",
            "nsga-ii",
            "--strategy",
            "random-search",
            "--budget",
            "40",
            "--heats",
            "3",
            "--seed",
            "2",
            "--journal",
            journal,
            "--league",
            Path.Combine(_folder, "league.json"),
            "--json"
        );
        exit.Should().Be(0, stderr);
        stderr
            .Should()
            .Contain("reference point: accuracy 0, params 0.0918 M (worst in table nb201-fmnist-3op.csv)")
            .And.Contain("hypervolume");
        var summary = JObject.Parse(stdout);
        ((string)summary["objective"]!).Should().Be("pareto:accuracy,params");
        ((double)summary["reference"]!["params"]!).Should().BeApproximately(0.091842, 1e-9);
        var contestants = (JArray)summary["contestants"]!;
        var volumes = contestants.Select(c => (double)c["hypervolume"]!).ToArray();
        volumes.Should().OnlyContain(v => v > 0 && v < 1).And.BeInDescendingOrder();
        contestants.Should().OnlyContain(c => c["hypervolumeStd"] != null);

        string csv = Path.Combine(_folder, "race-pareto.pareto.csv"),
            png = Path.Combine(_folder, "race-pareto.pareto.png");
        stderr.Should().Contain("pareto fronts:");
        var lines = File.ReadAllLines(csv);
        lines[0].Should().Be("contestant,front,heat,index,arch,accuracy,params_m");
        lines
            .Skip(1)
            .Should()
            .Contain(l => l.StartsWith("nsga-ii,0,0,"))
            .And.Contain(l => l.StartsWith("random-search,pooled,"));
        // Every pooled point is a point of some heat's front of the same contestant.
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        foreach (var pooled in rows.Where(r => r[1] == "pooled"))
            rows.Should().Contain(r => r[0] == pooled[0] && r[1] == pooled[2] && r[4] == pooled[4]);
        PngSize(png).Should().Be((900, 600));

        // The journal's trial lines carry the objective vector.
        var trial = File.ReadLines(journal)
            .Select(JObject.Parse)
            .First(j => (string)j["type"]! == "trial" && (string)j["status"]! == "ok");
        ((JArray)trial["objectives"]!)
            .Select(v => (double)v)
            .Should()
            .Equal((double)trial["metrics"]!["validationAccuracy"]!, -(double)trial["metrics"]!["params"]! / 1e6);

        // nas pareto rebuilds the same hypervolumes from the journal alone, and re-plots against another reference.
        var (again, sameOut, sameErr) = NasProcess.Run("pareto", journal, "--output", Path.Combine(_folder, "again"));
        again.Should().Be(0, sameErr);
        foreach (var c in contestants)
            sameOut
                .Should()
                .Contain($"{c["contestant"]}  ")
                .And.Contain(
                    ((double)c["hypervolume"]!).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)
                );
        File.ReadAllText(Path.Combine(_folder, "again.pareto.csv")).Should().Be(File.ReadAllText(csv));
        var (other, otherOut, otherErr) = NasProcess.Run(
            "pareto",
            journal,
            "--reference",
            "accuracy=0.5",
            "--output",
            Path.Combine(_folder, "other"),
            "--width",
            "500",
            "--height",
            "400"
        );
        other.Should().Be(0, otherErr);
        otherOut
            .Should()
            .Contain(
                "reference point: accuracy 0.5, params 0.0918 M (--reference, other costs worst in table nb201-fmnist-3op.csv)"
            );
        PngSize(Path.Combine(_folder, "other.pareto.png")).Should().Be((500, 400));
        var (bad, _, badErr) = NasProcess.Run("pareto", journal, "--reference", "flops=3");
        bad.Should().Be(1);
        badErr.Should().Contain("'flops' is not a component of pareto:accuracy,params");
    }

    [Fact]
    public void A_race_whose_fronts_cannot_be_written_still_finishes_and_nas_pareto_writes_them_later()
    {
        string journal = Path.Combine(_folder, "blocked.jsonl"),
            csv = Path.Combine(_folder, "blocked.pareto.csv"),
            png = Path.Combine(_folder, "blocked.pareto.png");
        Directory.CreateDirectory(png); // a folder where the chart should go: its move into place fails
        File.WriteAllText(Path.Combine(png, "inside"), "keeps the folder non-empty");

        var (exit, stdout, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "pareto:accuracy,params",
            "--strategy",
            "random-search",
            "--budget",
            "10",
            "--heats",
            "1",
            "--journal",
            journal,
            "--league",
            Path.Combine(_folder, "league.json")
        );

        exit.Should()
            .Be(0, "the race's results are all in its journal; only the fronts beside it are missing. " + stderr);
        stderr.Should().Contain($"warning: no Pareto fronts: cannot write {csv} and {png}").And.Contain("nas pareto");
        stdout.Should().Contain($"journal: {journal}").And.NotContain("pareto fronts:");
        File.Exists(csv).Should().BeFalse("the CSV is written together with its chart, or not at all");
        File.ReadLines(journal).Last().Should().Contain("\"race-finished\"");

        Directory.Delete(png, true);
        var (again, againOut, againErr) = NasProcess.Run("pareto", journal);
        again.Should().Be(0, againErr);
        againOut.Should().Contain("pareto fronts:");
        PngSize(png).Should().Be((900, 600));
        File.ReadAllLines(csv).Should().HaveCountGreaterThan(1);
    }

    [Fact]
    public void Nas_pareto_refuses_a_race_in_which_no_trial_succeeded_writing_nothing()
    {
        // A table of two cells over three operations: nearly every ask of random search is a cell the table does not
        // have, a failed trial; this seed's three asks all miss.
        string table = Path.Combine(_folder, "two-cells.csv");
        File.WriteAllLines(
            table,
            File.ReadAllLines(ShippedTables.DefaultPath).Where((line, i) => i == 0 || i == 5 || i == 700)
        );
        string journal = Path.Combine(_folder, "race-failing.jsonl");
        var (exit, _, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--objective",
            "pareto:accuracy,params",
            "--strategy",
            "random-search",
            "--budget",
            "3",
            "--heats",
            "1",
            "--journal",
            journal,
            "--league",
            Path.Combine(_folder, "league.json")
        );
        exit.Should().Be(0, stderr);
        File.ReadLines(journal)
            .Should()
            .Contain(l => l.Contains("\"type\":\"trial\""))
            .And.NotContain(l => l.Contains("\"status\":\"ok\""));

        // No trial succeeded: no front to show. Refused as nas report and nas train --from refuse it, writing nothing.
        var (again, _, againErr) = NasProcess.Run("pareto", journal, "--output", Path.Combine(_folder, "failing"));
        again.Should().Be(1, againErr);
        againErr
            .Trim()
            .Should()
            .Be($"error: {journal}: the journal holds no finished trial, so there is no Pareto front to show.");
        File.Exists(Path.Combine(_folder, "failing.pareto.csv")).Should().BeFalse();
        File.Exists(Path.Combine(_folder, "failing.pareto.png")).Should().BeFalse();
    }

    [Fact]
    public void A_scalarised_race_ranks_by_the_best_objective_and_bad_objectives_are_refused()
    {
        var (exit, stdout, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "accuracy-2*params",
            "--strategy",
            "regularized-evolution",
            "--budget",
            "30",
            "--heats",
            "2",
            "--journal",
            Path.Combine(_folder, "race-scalar.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json")
        );
        exit.Should().Be(0, stderr);
        stdout.Should().Contain("objective: maximise accuracy-2*params").And.Contain("best objective");
        File.Exists(Path.Combine(_folder, "race-scalar.pareto.csv")).Should().BeFalse("only a Pareto race has fronts");

        var (badExit, _, badErr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "accuracy-0.5*parms"
        );
        badExit.Should().Be(1);
        badErr
            .Should()
            .Contain("error: --objective 'accuracy-0.5*parms': unknown metric 'parms'")
            .And.NotContain("   at ");

        // A table without latency columns: the shipped one with its last two (latency_ms_b1, latency_ms_b64) cut off.
        string noLatency = Path.Combine(_folder, "no-latency.csv");
        File.WriteAllLines(
            noLatency,
            File.ReadAllLines(ShippedTables.DefaultPath).Select(line => string.Join(',', line.Split(',')[..^2]))
        );
        var (latencyExit, _, latencyErr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--table",
            noLatency,
            "--objective",
            "pareto:accuracy,latency1"
        );
        latencyExit.Should().Be(1);
        latencyErr
            .Should()
            .Contain("no-latency.csv has no column 'latency_ms_b1'")
            .And.Contain("nas tabulate --add-latency");

        var (shippedExit, shippedOut, shippedErr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "pareto:accuracy,latency1",
            "--strategy",
            "random-search",
            "--budget",
            "20",
            "--heats",
            "1",
            "--journal",
            Path.Combine(_folder, "race-latency.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json")
        );
        shippedExit.Should().Be(0, shippedErr);
        shippedOut
            .Should()
            .Contain("reference point: accuracy 0, latency1 1.5205 ms (worst in table nb201-fmnist-3op.csv)");
    }
}
