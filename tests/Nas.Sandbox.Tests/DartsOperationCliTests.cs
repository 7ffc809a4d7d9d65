using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>The built-in DARTS convolutions and se_block in a cell space, through `nas` as a user runs it.</summary>
public sealed class DartsOperationCliTests : IDisposable
{
    private const string Operations = "none,skip_connect,sep_conv_3x3,dil_conv_5x5,se_block";

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-darts-ops-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static readonly string[] TinyData =
    [
        "--dataset",
        "fashion-mnist:" + TestData.FashionMnistSubsetDirectory,
        "--train-images",
        "100",
        "--validation-images",
        "50",
        "--batch-size",
        "50",
    ];

    [Fact]
    public void Tabulate_trains_cells_of_the_new_operations_and_prices_them()
    {
        string table = Path.Combine(_folder, "table.csv");
        var (exit, _, stderr) = NasProcess.Run([
            "tabulate",
            "--output",
            table,
            "--operations",
            Operations,
            "--sample",
            "3",
            "--seeds",
            "1",
            "--test-images",
            "50",
            .. TinyData,
        ]);
        exit.Should().Be(0, stderr);
        var rows = File.ReadAllLines(table).Skip(1).Select(r => r.Split(',')).ToArray();
        rows.Should().HaveCount(3);
        foreach (var row in rows)
        {
            row[6].Should().Be("ok", string.Join(",", row));
            long.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture).Should().BePositive();
            long.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture).Should().BePositive();
            row[0]
                .Split('|', '~', '+')
                .Where(t => t.Contains('_') || t == "none")
                .Should()
                .OnlyContain(op => Operations.Split(',').Contains(op));
        }
    }

    [Fact]
    public void Random_search_and_darts_race_the_new_operations_with_the_training_estimator()
    {
        string journal = Path.Combine(_folder, "race.jsonl");
        var (exit, stdout, stderr) = NasProcess.Run([
            "race",
            "--operations",
            Operations,
            "--strategy",
            "random-search",
            "--strategy",
            "darts:steps-per-ask=2",
            "--budget",
            "2",
            "--channels",
            "8",
            "--json",
            "--journal",
            journal,
            .. TinyData,
        ]);
        exit.Should().Be(0, stderr);
        foreach (var c in (JArray)JObject.Parse(stdout)["contestants"]!)
        {
            ((int)c["evaluations"]!).Should().Be(2, stderr);
            ((int)c["failures"]!).Should().Be(0, stderr);
        }
        var trials = JournalReader.Read(journal).Lines.Where(l => l.Type == "trial").ToArray();
        trials.Should().HaveCount(4);
    }

    [Fact]
    public void Every_zero_cost_proxy_scores_cells_of_the_new_operations()
    {
        foreach (string proxy in new[] { "naswot", "synflow", "snip", "grad-norm" })
        {
            var (exit, stdout, stderr) = NasProcess.Run([
                "race",
                "--operations",
                Operations,
                "--estimator",
                proxy,
                "--strategy",
                "random-search",
                "--budget",
                "3",
                "--json",
                "--journal",
                Path.Combine(_folder, proxy + ".jsonl"),
                .. TinyData,
            ]);
            exit.Should().Be(0, stderr);
            var contestant = ((JArray)JObject.Parse(stdout)["contestants"]!).Single();
            ((int)contestant["failures"]!).Should().Be(0, $"{proxy}: {stderr}");
            ((int)contestant["evaluations"]!).Should().Be(3, $"{proxy}: {stderr}");
        }
    }
}
