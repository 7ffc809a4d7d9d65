using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Importing a tabular benchmark: column mappings, percent, and errors that name the file, line and column.</summary>
public sealed class TabularTableTests : IDisposable
{
    private static readonly string[] Ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
    private const string A = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|";
    private const string B = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-table-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string text, string name = "t.csv")
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static TabularTable Load(string path, string? option = null, bool? percent = null) =>
        TabularTable.Load(path, TableColumns.For(path, option, percent), Ops);

    [Fact]
    public void The_format_nas_tabulate_writes_loads_with_no_mapping()
    {
        string path = Write(
            $"arch,validation_accuracy,test_accuracy,train_seconds,params,flops,status\n{A},0.75,0.74,3.5,1000,20000,ok\n{B},0.1,0.1,0.5,10,100,ok\n"
        );
        var table = Load(path);
        table.Count.Should().Be(2);
        table
            .Find(A)!
            .Should()
            .Match<TableRow>(r =>
                r.Validation == 0.75
                && r.Test == 0.74
                && r.Seconds == 3.5
                && r.Parameters == 1000
                && r.Flops == 20000
                && r.Line == 2
            );
        table.Operations.Should().Equal("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3");
    }

    [Fact]
    public void Columns_are_mapped_by_option_with_percent_and_a_curve()
    {
        string path = Write($"key,valid,test,time,curve\n{A},75.5,74,3,40;60;75.5\n");
        var row = Load(path, "arch=key,validation=valid,test=test,seconds=time,curve=curve", percent: true).Find(A)!;
        row.Validation.Should().BeApproximately(0.755, 1e-12);
        row.Test.Should().BeApproximately(0.74, 1e-12);
        row.Curve.Should().Equal(0.4, 0.6, 0.755);
        row.Parameters.Should().BeNull();
    }

    [Fact]
    public void Columns_are_mapped_by_a_sidecar_file_and_options_win_over_it()
    {
        string path = Write($"arch_str,acc,acc2\n{A},0.5,0.6\n");
        File.WriteAllText(
            TableColumns.SidecarPath(path),
            """{ "arch": "arch_str", "validation": "acc", "test": null }"""
        );
        Load(path).Find(A)!.Should().Match<TableRow>(r => r.Validation == 0.5 && r.Test == null);
        Load(path, "validation=acc2").Find(A)!.Validation.Should().Be(0.6);
    }

    [Fact]
    public void An_accuracy_in_percent_without_saying_so_is_an_error_that_says_how_to_fix_it()
    {
        string path = Write($"arch,validation_accuracy\n{A},75.5\n");
        FluentActions
            .Invoking(() => Load(path))
            .Should()
            .Throw<NasException>()
            .WithMessage($"{path}:2, column 'validation_accuracy': 75.5 is not an accuracy in [0, 1]*--table-percent*");
    }

    [Theory]
    [InlineData("arch,validation_accuracy\n{A},0.5\n{A},0.6\n", ":3: architecture * is already on line 2.")]
    [InlineData("arch,validation_accuracy\n{A},0.5,7\n", ":2: 3 fields, but the header has 2.")]
    [InlineData("arch,validation_accuracy\n{A},abc\n", ":2, column 'validation_accuracy': 'abc' is not a number.")]
    [InlineData(
        "arch,validation_accuracy\n|nor_conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|,0.5\n",
        ":2, column 'arch': *nor_conv_9x9*"
    )]
    [InlineData(
        "arch,accuracy\n{A},0.5\n",
        ":1: no column 'validation_accuracy' (validation) in the header; the columns are arch, accuracy.*"
    )]
    [InlineData("arch,validation_accuracy\n", ": the table has a header but no rows.")]
    [InlineData("arch,validation_accuracy\n\"{A},0.5\n", ":2: a quoted field is not closed.")]
    public void Bad_tables_are_refused_with_the_line_and_column(string text, string expected)
    {
        string path = Write(text.Replace("{A}", A));
        FluentActions.Invoking(() => Load(path)).Should().Throw<NasException>().WithMessage(path + expected);
    }

    [Fact]
    public void A_column_mapped_explicitly_must_exist()
    {
        string path = Write($"arch,validation_accuracy\n{A},0.5\n");
        FluentActions
            .Invoking(() => Load(path, "test=held_out"))
            .Should()
            .Throw<NasException>()
            .WithMessage("*no column 'held_out' (test)*");
        FluentActions
            .Invoking(() => Load(path, "oops=x"))
            .Should()
            .Throw<NasException>()
            .WithMessage("--table-columns: unknown key 'oops'*");
    }

    [Fact]
    public void A_full_nb201_table_of_15625_rows_loads_well_under_a_second()
    {
        var space = new Nb201Space();
        var text = new System.Text.StringBuilder("arch,validation_accuracy,test_accuracy,train_seconds,params,flops\n");
        int i = 0;
        foreach (var a in space.Enumerate())
            text.Append(a.Key).Append(',').Append((i++ % 100) / 100.0).Append(",0.5,12.5,1000,20000\n");
        string path = Write(text.ToString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var table = Load(path);
        table.Count.Should().Be(15_625);
        // Not a benchmark (nas bench prints the figure); a generous bound that still catches a quadratic loader.
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_estimator_looks_up_charges_the_tables_seconds_and_keeps_test_accuracy_out_of_the_trial()
    {
        string path = Write(
            $"arch,validation_accuracy,test_accuracy,train_seconds,params,flops\n{A},0.75,0.74,3.5,1000,20000\n"
        );
        var estimator = new TabularEstimator(Load(path));
        var space = new Nb201Space();
        var result = estimator.Evaluate(space.Parse(A), new EvaluationRequest { Seed = 1, DataSeed = 1 });
        result.Status.Should().Be(TrialStatus.Ok);
        result.CostSeconds.Should().Be(3.5);
        result
            .Metrics.Should()
            .Be(
                new Metrics
                {
                    ValidationAccuracy = 0.75,
                    Parameters = 1000,
                    Flops = 20000,
                }
            );
        estimator.TestAccuracy(A).Should().Be(0.74);
        var missing = estimator.Evaluate(space.Parse(B), new EvaluationRequest { Seed = 1, DataSeed = 1 });
        missing.Status.Should().Be(TrialStatus.Failed);
        missing.Message.Should().Contain("is not in table").And.Contain(path);
    }

    private string TwoSeeds() =>
        Write(
            "arch,validation_accuracy,test_accuracy,train_seconds,validation_accuracy_seed0,test_accuracy_seed0,train_seconds_seed0,"
                + $"validation_accuracy_seed1,test_accuracy_seed1,train_seconds_seed1\n{A},0.7,0.65,3,0.6,0.6,2,0.8,0.7,4\n"
        );

    [Fact]
    public void A_sampled_lookup_reports_the_training_seed_the_trials_seed_picks_and_keeps_the_mean_test_score()
    {
        var table = Load(TwoSeeds());
        table.SeedCount.Should().Be(2);
        table.Find(A)!.Seeds.Should().Equal(new TableSeed(0.6, 0.6, 2), new TableSeed(0.8, 0.7, 4));
        var sample = new TabularEstimator(table, TableSeeds.Sample);
        var architecture = new Nb201Space().Parse(A);
        EvaluationResult Look(long seed) =>
            sample.Evaluate(architecture, new EvaluationRequest { Seed = seed, DataSeed = 0 });
        (Look(10).Metrics.ValidationAccuracy, Look(10).CostSeconds).Should().Be((0.6, 2.0));
        (Look(11).Metrics.ValidationAccuracy, Look(11).CostSeconds).Should().Be((0.8, 4.0));
        Look(11).Should().BeEquivalentTo(Look(11), "the same trial seed looks up the same run");
        sample.TestAccuracy(A).Should().Be(0.65, "the score stays the seed-mean test accuracy");

        var mean = new TabularEstimator(table, TableSeeds.Mean).Evaluate(
            architecture,
            new EvaluationRequest { Seed = 11, DataSeed = 0 }
        );
        (mean.Metrics.ValidationAccuracy, mean.CostSeconds).Should().Be((0.7, 3.0));
    }

    [Fact]
    public void Sampling_is_the_default_for_a_table_with_seeds_the_mean_for_one_without_and_sampling_a_table_without_seeds_is_refused()
    {
        var seeded = Load(TwoSeeds());
        var plain = Load(Write($"arch,validation_accuracy\n{A},0.75\n", "plain.csv"));
        TableSeedsChoice.Resolve(null, seeded).Should().Be(TableSeeds.Sample);
        TableSeedsChoice.Resolve("mean", seeded).Should().Be(TableSeeds.Mean);
        TableSeedsChoice.Resolve(null, plain).Should().Be(TableSeeds.Mean);
        FluentActions
            .Invoking(() => TableSeedsChoice.Resolve("sample", plain))
            .Should()
            .Throw<NasException>()
            .WithMessage("*--table-seeds sample*plain.csv*no per-seed columns*");
        FluentActions
            .Invoking(() => TableSeedsChoice.Resolve("median", seeded))
            .Should()
            .Throw<NasException>()
            .WithMessage("*--table-seeds*'median'*");
    }
}
