namespace Nas.Sandbox.Tests;

/// <summary>
/// Options given but meaning nothing (an empty list, a folder that is not there, a table read the wrong way) are refused
/// with one error naming the option, before anything runs, rather than silently racing something else.
/// </summary>
public sealed class OptionAuditTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static (int Exit, string Out, string Err) Nas(params string[] args) => NasProcess.Run(args);

    private static void RefusedWith((int Exit, string Out, string Err) run, string message)
    {
        run.Exit.Should().Be(1, run.Err);
        run.Err.Should().Contain("error: " + message).And.NotContain("   at ");
    }

    [Theory]
    [InlineData("race", "--plugins")]
    [InlineData("race", "--scripts")]
    [InlineData("list", "--plugins")]
    [InlineData("list", "--scripts")]
    [InlineData("train", "--scripts")]
    public void A_plugin_or_script_folder_that_is_not_there_is_refused(string command, string option)
    {
        string missing = Path.Combine(_folder, "no-such-folder");
        RefusedWith(Nas(command, option, missing), $"{option} {missing}: no such folder.");
    }

    [Theory]
    [InlineData("--plugins")]
    [InlineData("--scripts")]
    public void A_file_given_as_a_plugin_or_script_folder_is_refused_saying_it_is_a_file(string option)
    {
        string script = Path.Combine(_folder, "climber.csx");
        File.WriteAllText(script, "// a script, not a folder of them");
        RefusedWith(Nas("list", option, script), $"{option} {script}: is a file; give a folder");
    }

    [Fact]
    public void An_empty_plugin_folder_name_is_refused() =>
        RefusedWith(Nas("list", "--scripts", ""), "--scripts '': give a folder");

    [Theory]
    [InlineData("random-search:")]
    [InlineData("random-search: , ")]
    public void A_contestant_with_a_colon_but_no_knobs_is_refused(string contestant) =>
        RefusedWith(
            Nas("race", "--estimator", "tabular", "--strategy", contestant, "--budget", "2", "--heats", "1"),
            $"--strategy '{contestant}': no knob=value after ':'"
        );

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    public void A_reference_point_naming_no_value_is_refused(string reference) =>
        RefusedWith(
            Nas(
                "race",
                "--estimator",
                "tabular",
                "--objective",
                "pareto:accuracy,params",
                "--reference",
                reference,
                "--budget",
                "2",
                "--heats",
                "1"
            ),
            $"--reference '{reference}' gives no value"
        );

    [Fact]
    public void Reading_a_table_of_fractions_as_percent_is_refused()
    {
        // The shipped table holds fractions: as percent, every accuracy would be a hundred times too low.
        string journal = Path.Combine(_folder, "race.jsonl");
        var run = Nas(
            "race",
            "--estimator",
            "tabular",
            "--table-percent",
            "true",
            "--budget",
            "2",
            "--heats",
            "1",
            "--journal",
            journal
        );
        RefusedWith(run, "");
        run.Err.Should()
            .Contain("read as percent, yet every 'validation_accuracy' is at most 1")
            .And.Contain("drop --table-percent");
        File.Exists(journal).Should().BeFalse("nothing runs");
    }

    [Fact]
    public void A_tabular_race_names_its_table_not_a_training_fidelity_or_data_set()
    {
        var (exit, _, err) = Nas(
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "2",
            "--heats",
            "1",
            "--journal",
            Path.Combine(_folder, "race.jsonl")
        );
        exit.Should().Be(0, err);
        err.Should().MatchRegex(@"estimator tabular \(table nb201-fmnist-3op\.csv, seeds (mean|sample)\), budget");
        err.Should().NotContain("dataset fashion-mnist", "a table race reads no data set");
    }

    /// <remarks>
    /// A tabular race never loads its data, so an unknown data set raced and was journaled; a DARTS contestant would have
    /// failed on it mid-race.
    /// </remarks>
    [Theory]
    [InlineData("race --estimator tabular --budget 2 --heats 1")]
    [InlineData("tabulate")]
    [InlineData("train --from missing.jsonl")]
    public void An_unknown_data_set_is_refused_before_anything_runs(string command) =>
        RefusedWith(
            Nas([.. command.Split(' '), "--dataset", "cifar10:/data"]),
            "--dataset cifar10:/data: unknown data set 'cifar10'. Available: fashion-mnist (NAME:DIR for another folder)."
        );

    [Theory]
    [InlineData("synflow,synflow", "--estimators lists synflow 2 times; each estimator is measured once, listed once.")]
    [InlineData(
        "tabular",
        "--estimators: tabular is a race's lookup in a table, not an estimator to measure against one; name train, the proxies or yours."
    )]
    public void Estimators_report_refuses_a_name_twice_and_the_table_lookup(string estimators, string message) =>
        RefusedWith(Nas("estimators", "report", "--estimators", estimators, "--sample", "4"), message);
}
