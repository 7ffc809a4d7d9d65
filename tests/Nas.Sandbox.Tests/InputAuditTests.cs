using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Core.Training;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>Two small tabular races (one scalar, one Pareto), run once, whose journals the audit tests damage.</summary>
public sealed class AuditRacesFixture : IDisposable
{
    public AuditRacesFixture()
    {
        Journal = Race("race-accuracy.jsonl", "accuracy");
        ParetoJournal = Race("race-pareto.jsonl", "pareto:accuracy,params");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("nas-audit-").FullName;
    public string Journal { get; }
    public string ParetoJournal { get; }

    private string Race(string name, string objective)
    {
        string journal = Path.Combine(Folder, name);
        var (exit, _, err) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--budget",
            "5",
            "--heats",
            "1",
            "--objective",
            objective,
            "--journal",
            journal,
            "--league",
            Path.Combine(Folder, name + ".league.json")
        );
        exit.Should().Be(0, err);
        return journal;
    }

    public void Dispose() => Directory.Delete(Folder, true);
}

/// <summary>
/// Bad input found by an audit of the built CLI: each is one clear error (file, line, field or option), with nothing the
/// user had lost or overwritten and no half-written output.
/// </summary>
public sealed class InputAuditTests(AuditRacesFixture races) : IClassFixture<AuditRacesFixture>, IDisposable
{
    private const string Cell =
        "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|";
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-audit-case-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static void Fails((int Exit, string Out, string Err) run, string expected)
    {
        run.Exit.Should().Be(1, run.Err);
        run.Err.Trim().Should().StartWith("error: ").And.Match(expected);
        run.Err.Should().NotContain("   at ", "no stack trace");
    }

    /// <summary>A copy of <paramref name="journal"/> with its events changed by <paramref name="change"/>.</summary>
    private string Damaged(string journal, string name, Action<List<JObject>> change)
    {
        var events = File.ReadAllLines(journal).Where(l => l.Length > 0).Select(JObject.Parse).ToList();
        change(events);
        string path = Path.Combine(_folder, name);
        File.WriteAllLines(path, events.Select(e => e.ToString(Formatting.None)));
        return path;
    }

    private static void Relabel(List<JObject> events, string from, string to)
    {
        foreach (var e in events)
        {
            if ((string?)e["contestant"] == from)
                e["contestant"] = to;
            foreach (var c in (e["contestants"] as JArray ?? []).OfType<JObject>())
                if ((string?)c["contestant"] == from)
                    c["contestant"] = to;
        }
    }

    // 1. Data loss: tabulate cut the last line of a file that is not a table before refusing it.
    [Fact]
    public void Tabulate_refuses_a_file_that_is_not_a_table_without_touching_it()
    {
        string notes = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(notes, "my notes\nthe last line, without a newline");
        FluentActions
            .Invoking(() => Tabulator.Prepare(notes, seeds: 1))
            .Should()
            .Throw<NasException>()
            .WithMessage($"{notes}:1: this file's header is not a table*");
        File.ReadAllText(notes).Should().Be("my notes\nthe last line, without a newline");

        // A real table's torn last row is still cut.
        string table = Path.Combine(_folder, "table.csv");
        Tabulator.Prepare(table, seeds: 1);
        File.AppendAllText(table, "|torn");
        Tabulator.Prepare(table, seeds: 1).Should().BeEmpty();
        File.ReadAllText(table).Should().EndWith("\n").And.NotContain("|torn");
    }

    // 2 and 8. Data loss and stack traces: report --output onto its journal, a folder, a path under a file, ''.
    [Theory]
    [InlineData("journal", "error: --output *: is the input *, which would be overwritten; give another path.")]
    [InlineData("folder", "error: --output *: is a folder; give a file path.")]
    [InlineData("under-file", "error: --output *: * is a file, not a folder.")]
    [InlineData("empty", "error: --output: the path is empty.")]
    public void Report_refuses_an_output_it_cannot_or_must_not_write(string kind, string expected)
    {
        string journal = Path.Combine(_folder, "race.jsonl");
        File.Copy(races.Journal, journal);
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "mine");
        string output = kind switch
        {
            "journal" => journal,
            "folder" => _folder,
            "under-file" => Path.Combine(file, "report.html"),
            _ => "",
        };
        Fails(NasProcess.Run("report", journal, "--output", output), expected);
        File.ReadAllBytes(journal).Should().Equal(File.ReadAllBytes(races.Journal));
        File.ReadAllText(file).Should().Be("mine");
    }

    // 3. Bad input accepted: --add-latency read a row's extra fields as latencies.
    [Fact]
    public void Add_latency_refuses_a_row_with_more_fields_than_the_header_before_changing_the_table()
    {
        var lines = File.ReadAllLines(ShippedTables.DefaultPath)
            .Take(3)
            .Select(line => string.Join(',', line.Split(',')[..^2]))
            .ToArray();
        lines[2] += ",1.5,2.5";
        string path = Path.Combine(_folder, "table.csv");
        File.WriteAllLines(path, lines);
        string before = File.ReadAllText(path);
        FluentActions
            .Invoking(() =>
                TableLatency.Add(path, new Nb201Space().Parse, _ => throw new InvalidOperationException("not measured"))
            )
            .Should()
            .Throw<NasException>()
            .WithMessage($"{path}:3: * fields, but the header has *.");
        File.ReadAllText(path).Should().Be(before);
    }

    // 4 and 15. Stack traces and bad input accepted: --seeds without bound, --lr not finite.
    [Theory]
    [InlineData("2147483647", "--seeds must be at most 1000, not 2147483647.")]
    [InlineData("1001", "--seeds must be at most 1000, not 1001.")]
    public void Train_bounds_the_seed_count(string seeds, string expected)
    {
        FluentActions
            .Invoking(() => TrainCommand.ParseSeeds(seeds))
            .Should()
            .Throw<NasException>()
            .WithMessage(expected);
        string list = string.Join(',', Enumerable.Range(0, 1001));
        FluentActions
            .Invoking(() => TrainCommand.ParseSeeds(list))
            .Should()
            .Throw<NasException>()
            .WithMessage("--seeds: at most 1000 seeds, not 1001.");
        TrainCommand.ParseSeeds("1000").Should().HaveCount(1000);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    public void Train_refuses_a_learning_rate_that_is_not_positive_and_finite(double lr)
    {
        FluentActions
            .Invoking(() => new FullTrainingSettings { LearningRate = lr }.Validate())
            .Should()
            .Throw<NasException>()
            .WithMessage("--lr must be a positive finite number, not *.");
    }

    [Theory]
    [InlineData("--lr", "1e400", "error: --lr must be a positive finite number, not Infinity.")]
    [InlineData("--seeds", "2147483647", "error: --seeds must be at most 1000, not 2147483647.")]
    [InlineData("--output", "FILE", "error: --output *a-file: is a file; give a folder.")]
    [InlineData("--output", "FILE/sub", "error: --output *a-file/sub: *a-file is a file, not a folder.")]
    public void Train_refuses_bad_options_before_loading_anything(string option, string value, string expected)
    {
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "mine");
        Fails(
            NasProcess.Run(
                "train",
                Cell,
                option,
                value.Replace("FILE", file),
                "--dataset",
                "fashion-mnist:" + Path.Combine(_folder, "no-such-data")
            ),
            expected
        );
        File.ReadAllText(file).Should().Be("mine");
    }

    // 6, 7, 11, 12. A damaged journal: one error naming the journal, the line and the field, for report and train --from.
    [Theory]
    [InlineData("summary-text", "*(14): race-finished event: field \"summary\" must be an object.")]
    [InlineData("contestants-numbers", "*(14): race-finished event: field \"summary.contestants\" must hold objects.")]
    [InlineData("operations-object", "*(1): race-started event: field \"operations\" must hold strings*")]
    [InlineData(
        "garbage-architecture",
        "*(14): race-finished event: field \"summary.contestants[0].bestArchitecture\" is not an architecture of space 'nb201': Malformed architecture 'garbage'*"
    )]
    [InlineData("damaged-label", "*(1): contestant 'random-search:x': 'x' is not knob=value.")]
    public void Report_and_train_from_name_the_journal_line_and_field_of_a_damaged_journal(
        string damage,
        string expected
    )
    {
        string journal = Damaged(races.Journal, damage + ".jsonl", events =>
        {
            var finished = events[^1];
            ((string?)finished["type"]).Should().Be("race-finished");
            events.Should().HaveCount(14, "the expected line numbers assume the fixture's race");
            switch (damage)
            {
                case "summary-text":
                    finished["summary"] = "damaged";
                    break;
                case "contestants-numbers":
                    finished["summary"]!["contestants"] = new JArray(1, 2);
                    break;
                case "operations-object":
                    events[0]["operations"] = new JArray(new JObject { ["name"] = "none" });
                    break;
                case "garbage-architecture":
                    finished["summary"]!["contestants"]![0]!["bestArchitecture"] = "garbage";
                    break;
                default:
                    Relabel(events, "random-search", "random-search:x");
                    break;
            }
        });
        Fails(
            NasProcess.Run("report", journal, "--output", Path.Combine(_folder, "r.html")),
            $"error: {journal}{expected}"
        );
        File.Exists(Path.Combine(_folder, "r.html")).Should().BeFalse();
        Fails(
            NasProcess.Run("train", "--from", journal, "--output", Path.Combine(_folder, "train")),
            $"error: {journal}{expected}"
        );
    }

    // 9. Stack traces and half-written output: pareto --output under a file, or where the PNG path is a folder.
    [Theory]
    [InlineData("under-file", "error: --output *a-file/out.pareto.csv: *a-file is a file, not a folder.")]
    [InlineData("png-folder", "error: --output *out.pareto.png: is a folder; give a file path.")]
    [InlineData("csv-folder", "error: --output *out.pareto.csv: is a folder; give a file path.")]
    public void Pareto_refuses_output_paths_it_cannot_write_and_writes_neither_file(string kind, string expected)
    {
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "mine");
        string basePath = kind == "under-file" ? Path.Combine(file, "out") : Path.Combine(_folder, "out");
        if (kind == "png-folder")
            Directory.CreateDirectory(basePath + ".pareto.png");
        if (kind == "csv-folder")
            Directory.CreateDirectory(basePath + ".pareto.csv");
        Fails(NasProcess.Run("pareto", races.ParetoJournal, "--output", basePath), expected);
        File.Exists(basePath + ".pareto.csv").Should().BeFalse("nothing is half-written");
        File.Exists(basePath + ".pareto.png").Should().BeFalse();
    }

    // 10, 12, 17, 18. Pareto on a damaged journal: no contestants, no finished trial, a bad reference, a bad label.
    [Theory]
    [InlineData("no-contestants", "*(1): race-started lists no contestants, so there is no Pareto front to show.")]
    [InlineData("no-trial", ": the journal holds no finished trial, so there is no Pareto front to show.")]
    [InlineData(
        "reference-unknown",
        "*(1): race-started event: field \"settings.reference\": 'flops' is not a component of pareto:accuracy,params*"
    )]
    [InlineData(
        "reference-accuracy",
        "*(1): race-started event: field \"settings.reference\": accuracy=2 leaves nothing to dominate*"
    )]
    [InlineData("damaged-label", "*(1): contestant 'random-search:x': 'x' is not knob=value.")]
    public void Pareto_refuses_a_damaged_journal_naming_it(string damage, string expected)
    {
        string journal = Damaged(races.ParetoJournal, damage + ".jsonl", events =>
        {
            var settings = (JObject)events[0]["settings"]!;
            switch (damage)
            {
                case "no-contestants":
                    events[0]["contestants"] = new JArray();
                    break;
                case "no-trial":
                    events.RemoveAll(e => (string?)e["type"] is "trial" or "race-finished");
                    break;
                case "reference-unknown":
                    settings["reference"] = new JObject { ["flops"] = 3 };
                    break;
                case "reference-accuracy":
                    settings["reference"] = new JObject { ["accuracy"] = 2 };
                    break;
                default:
                    Relabel(events, "random-search", "random-search:x");
                    break;
            }
        });
        string basePath = Path.Combine(_folder, "out");
        Fails(NasProcess.Run("pareto", journal, "--output", basePath), $"error: {journal}{expected}");
        File.Exists(basePath + ".pareto.csv").Should().BeFalse();
        File.Exists(basePath + ".pareto.png").Should().BeFalse();
    }

    [Fact]
    public void Pareto_output_naming_a_folder_writes_the_journals_name_in_it()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder, "fronts")).FullName;
        foreach (string given in new[] { folder, folder + "/" })
        {
            var (exit, _, err) = NasProcess.Run("pareto", races.ParetoJournal, "--output", given);
            exit.Should().Be(0, err);
        }
        Directory
            .GetFiles(folder)
            .Select(Path.GetFileName)
            .Should()
            .BeEquivalentTo("race-pareto.pareto.csv", "race-pareto.pareto.png");
    }

    [Theory]
    [InlineData("race", "--estimator", "tabular")]
    [InlineData("train", Cell)]
    public void Operations_given_but_naming_none_are_refused(params string[] command)
    {
        foreach (string given in new[] { "", "," })
            Fails(
                NasProcess.Run([.. command, "--operations", given]),
                $"error: --operations '{given}' names no operation: give at least two, comma-separated*"
            );
    }

    [Fact]
    public void A_league_path_that_is_a_folder_is_refused_not_read_as_empty()
    {
        Fails(NasProcess.Run("league", "--league", _folder), $"error: {_folder} is a folder, not a league file*");
    }

    [Fact]
    public void Pack_build_checks_its_output_first_and_a_home_that_is_a_file_is_one_error()
    {
        string file = Path.Combine(_folder, "not-a-folder.nupkg");
        File.WriteAllText(file, "x");
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "my-scripts")).FullName;
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), Path.Combine(scripts, "audit-greedy.csx"));
        Fails(
            NasProcess.Run("pack", "build", scripts, "--license", "MIT", "--output", file),
            $"error: --output {file}: is a file; give a folder."
        );
        string feed = Path.Combine(_folder, "feed");
        var built = NasProcess.Run("pack", "build", scripts, "--license", "MIT", "--output", feed);
        built.Exit.Should().Be(0, built.Err);
        // The file system's own refusal (the home is a file): one line naming the path, no stack trace.
        Fails(
            NasProcess.Run(
                new Dictionary<string, string?> { [Nas.Sandbox.Core.Hosting.NasHome.Variable] = file },
                "pack",
                "install",
                Path.Combine(feed, "my-scripts.1.0.0.nupkg")
            ),
            $"error: *{file}/packs*"
        );
    }

    [Theory]
    [InlineData("")]
    [InlineData("// only a comment\n")]
    public void A_script_with_nothing_to_compile_says_why(string text)
    {
        string script = Path.Combine(_folder, "empty.csx");
        File.WriteAllText(script, text);
        var (exit, stdout, stderr) = NasProcess.Run(
            new Dictionary<string, string?> { ["NAS_SCRIPT_CACHE"] = "off" },
            "script",
            "check",
            script
        );
        exit.Should().Be(1, stderr);
        stdout.Should().Contain($"{script}(1,1): error NAS");
    }

    [Fact]
    public void A_parse_error_names_the_whole_command_whose_help_lists_the_options()
    {
        var (exit, _, stderr) = NasProcess.Run("script", "check", "--bogus", "x");
        exit.Should().Be(1);
        stderr.Should().Contain("(nas script check --help lists the options.)");
    }

    // Third audit, 1: a file where a folder is wanted (and a folder where a file is) says which it is, not "no such".
    [Theory]
    [InlineData(
        "install-source",
        "error: --source *a-file: is a file; --source takes a feed: a folder of .nupkg files*"
    )]
    [InlineData(
        "build-source",
        "error: *a-file is a file; nas pack build takes a project (its .csproj*) or a folder of scripts."
    )]
    [InlineData("race-table", "error: Table * is a folder; give the table's CSV file.")]
    [InlineData("add-latency", "error: Table * is a folder; give the table's CSV file.")]
    [InlineData("install-folder", "error: PACK * is a folder: give a .nupkg file, or a pack id with --source *")]
    [InlineData("verify-folder", "error: PACK * is a folder, and no pack of that id is installed*")]
    public void A_file_given_for_a_folder_or_a_folder_for_a_file_says_which_it_is(string kind, string expected)
    {
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "mine");
        string[] command = kind switch
        {
            "install-source" => ["pack", "install", "some.pack", "--source", file],
            "build-source" => ["pack", "build", file, "--license", "MIT", "--output", Path.Combine(_folder, "feed")],
            "race-table" => ["race", "--estimator", "tabular", "--table", _folder, "--budget", "2", "--heats", "1"],
            "install-folder" => ["pack", "install", _folder],
            "verify-folder" => ["pack", "verify", _folder],
            _ => ["tabulate", "--add-latency", _folder],
        };
        Fails(NasProcess.Run(command), expected);
        File.ReadAllText(file).Should().Be("mine");
        Directory.Exists(Path.Combine(_folder, "feed")).Should().BeFalse("nothing is half-done");
    }

    // Third audit, 2: script check of a folder checks each .csx directly in it; a folder with none is one error.
    [Fact]
    public void Script_check_of_a_folder_checks_each_script_in_it()
    {
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "scripts")).FullName;
        Fails(
            NasProcess.Run("script", "check", scripts),
            $"error: {scripts} is a folder with no .csx script in it (script check compiles each .csx directly in a folder)."
        );
        string script = Path.Combine(scripts, "audit-greedy.csx");
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), script);
        var (exit, stdout, stderr) = NasProcess.Run("script", "check", scripts);
        exit.Should().Be(0, stdout + stderr);
        stdout.Trim().Should().Be($"ok: {script}: strategy audit-greedy");
    }

    // Third audit, 3: a file that is not a .csx is refused wherever a script path is taken, never compiled as C#.
    [Theory]
    [InlineData(
        "script",
        "check",
        "NOTES",
        "error: NOTES is not a .csx file: script check compiles C# scripts (FILE.csx)*"
    )]
    [InlineData("script", "check", "", "error: FILE is empty: give a script (.csx) or a folder of scripts.")]
    [InlineData(
        "race",
        "--strategy",
        "NOTES",
        "error: Unknown strategy 'NOTES': NOTES is a file, but not a script (a script is a .csx file)."
    )]
    [InlineData(
        "race",
        "--estimator",
        "NOTES",
        "error: Unknown estimator 'NOTES': NOTES is a file, but not a script (a script is a .csx file)."
    )]
    [InlineData("race", "--strategy", "FOLDER.csx", "error: Script FOLDER.csx is a folder, not a script file*")]
    public void A_path_that_is_not_a_csx_script_is_refused(string command, string option, string value, string expected)
    {
        string notes = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(notes, "hi there");
        string folder = Directory.CreateDirectory(Path.Combine(_folder, "looks-like.csx")).FullName;
        string given = value.Replace("NOTES", notes).Replace("FOLDER.csx", folder);
        string[] args =
            command == "script"
                ? ["script", "check", given]
                : ["race", "--estimator", "tabular", option, given, "--budget", "2", "--heats", "1"];
        if (option == "--estimator")
            args = ["race", option, given, "--budget", "2", "--heats", "1"];
        Fails(NasProcess.Run(args), expected.Replace("NOTES", notes).Replace("FOLDER.csx", folder));
    }

    // Third audit, 4 and 6: pack build --license '' and pack new --output under a file (or '') are one error, up front.
    [Theory]
    [InlineData("build-license", "error: --license: the license is empty; give an SPDX license expression*")]
    [InlineData("new-under-file", "error: --output *a-file/sub: *a-file is a file, not a folder.")]
    [InlineData("new-empty", "error: --output: the path is empty.")]
    public void Pack_options_that_cannot_be_used_are_one_error_naming_the_option(string kind, string expected)
    {
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "mine");
        string scripts = Directory.CreateDirectory(Path.Combine(_folder, "my-scripts")).FullName;
        File.Copy(ScriptTestKit.Example("greedy-local-search.csx"), Path.Combine(scripts, "audit-greedy.csx"));
        string feed = Path.Combine(_folder, "feed");
        string[] command = kind switch
        {
            "build-license" => ["pack", "build", scripts, "--license", "", "--output", feed],
            "new-under-file" => ["pack", "new", "strategy", "AuditProbe", "--output", Path.Combine(file, "sub")],
            _ => ["pack", "new", "strategy", "AuditProbe", "--output", ""],
        };
        Fails(NasProcess.Run(command), expected);
        Directory.Exists(feed).Should().BeFalse("nothing is half-done");
        File.ReadAllText(file).Should().Be("mine");
    }

    // Third audit, 5: a pack id that cannot be one is refused as such, by the rule pack build and the manifest follow.
    [Theory]
    [InlineData("install")]
    [InlineData("install-from-feed")]
    [InlineData("verify")]
    [InlineData("remove")]
    public void A_pack_id_that_cannot_be_one_is_refused_as_invalid_not_missing(string command)
    {
        string feed = Directory.CreateDirectory(Path.Combine(_folder, "feed")).FullName;
        string[] args = command switch
        {
            "install" => ["pack", "install", "a/../b"],
            "install-from-feed" => ["pack", "install", "a/../b", "--source", feed],
            "verify" => ["pack", "verify", "a/../b"],
            _ => ["pack", "remove", "a/../b"],
        };
        Fails(
            NasProcess.Run(args),
            (command == "remove" ? "error: ID a/../b: " : "error: PACK a/../b: no such file, and ")
                + "'a/../b' is not a valid package id (letters, digits, '.', '-', '_'*"
        );
    }

    // Third audit, 7: a script that is not UTF-8 is refused naming the file, line, column and byte offset, not compiled
    // with the bad bytes replaced; a byte-order mark is still fine.
    [Fact]
    public void A_script_that_is_not_utf8_is_refused_naming_the_byte()
    {
        string script = Path.Combine(_folder, "latin1.csx");
        byte[] good = File.ReadAllBytes(ScriptTestKit.Example("greedy-local-search.csx"));
        File.WriteAllBytes(script, [.. "// caf"u8, 0xE9, .. "\n"u8, .. good]);
        var (exit, stdout, stderr) = NasProcess.Run("script", "check", script);
        exit.Should().Be(1, stderr);
        stdout
            .Trim()
            .Should()
            .Be(
                $"{script}(1,7): error NAS0001: the file is not valid UTF-8: byte 0xE9 at byte offset 6 (line 1, column 7); save it as UTF-8"
            );
        // Given by path to a race: one error line, before the race starts.
        Fails(
            NasProcess.Run("race", "--estimator", "tabular", "--strategy", script, "--budget", "2", "--heats", "1"),
            $"error: {script}(1,7): error NAS0001: the file is not valid UTF-8*"
        );

        File.WriteAllBytes(script, [0xEF, 0xBB, 0xBF, .. good]);
        (exit, stdout, stderr) = NasProcess.Run("script", "check", script);
        exit.Should().Be(0, stdout + stderr);
        stdout.Trim().Should().Be("ok: strategy latin1");
    }

    [Theory]
    [InlineData("percent=maybe", "--table-columns: percent=maybe is not true or false*")]
    [InlineData("params=params,params=flops", "--table-columns: 'params' is given twice.")]
    public void Table_columns_refuse_a_percent_that_is_not_a_boolean_and_a_key_given_twice(
        string option,
        string expected
    ) =>
        FluentActions
            .Invoking(() => TableColumns.For("table.csv", option, null))
            .Should()
            .Throw<NasException>()
            .WithMessage(expected);

    [Fact]
    public void A_reference_naming_a_component_twice_is_refused()
    {
        var objective = RaceObjective.Parse("pareto:accuracy,params");
        FluentActions
            .Invoking(() => ParetoReference.Parse("params=1,params=2", objective))
            .Should()
            .Throw<NasException>()
            .WithMessage("--reference: 'params' is given twice.");
        ParetoReference.Parse("params=1,accuracy=0.5", objective).Should().HaveCount(2);
    }

    // 13. Training settings that cannot make a network, refused by name.
    [Theory]
    [InlineData(1, 1, 1, "--channels must be at least 2, not 1.")]
    [InlineData(8, 0, 1, "--cells must be at least 1, not 0.")]
    [InlineData(8, 1, 0, "--epochs must be at least 1, not 0.")]
    public void Training_settings_name_the_option_they_refuse(int channels, int cells, int epochs, string expected)
    {
        FluentActions
            .Invoking(() =>
                new TrainingSettings
                {
                    Channels = channels,
                    CellsPerStage = cells,
                    Epochs = epochs,
                }.Validate()
            )
            .Should()
            .Throw<NasException>()
            .WithMessage(expected);
    }

    // 13 and 14. Tabulate refuses bad settings, a missing data set, an unknown device and a network that cannot train
    // before it writes the table: no header-only file is left behind.
    [Theory]
    [InlineData("--channels", "1", "error: --channels must be at least 2, not 1.")]
    [InlineData("--cells", "0", "error: --cells must be at least 1, not 0.")]
    [InlineData("--test-images", "-5", "error: --test-images must be at least 0 (0: none), not -5.")]
    [InlineData("--device", "gpu", "error: --device must be auto, cpu, cuda or cuda:N, not 'gpu'.")]
    [InlineData("--dataset", "fashion-mnist:MISSING", "error: Fashion-MNIST not found: *")]
    [InlineData("--channels", "3", "error: *convolution * its 3 output channels are not a multiple of 8*")]
    public void Tabulate_refuses_bad_input_before_writing_the_table(string option, string value, string expected)
    {
        string output = Path.Combine(_folder, "table.csv");
        var args = new List<string>
        {
            "tabulate",
            "--output",
            output,
            "--sample",
            "1",
            "--epochs",
            "1",
            "--train-images",
            "10",
            "--validation-images",
            "10",
        };
        if (option != "--test-images")
            args.AddRange(["--test-images", "0"]);
        if (option != "--dataset")
            args.AddRange(["--dataset", "fashion-mnist:" + TestData.FashionMnistSubsetDirectory]);
        args.AddRange([option, value.Replace("MISSING", Path.Combine(_folder, "no-such-data"))]);
        // The convolution rule on every CPU: the 3-channel network is refused only where libtorch miscomputes it.
        var rule = new Dictionary<string, string?> { [ConvolutionCheck.ModeVariable] = "rule" };
        Fails(NasProcess.Run(rule, [.. args]), expected);
        File.Exists(output).Should().BeFalse("a refused tabulate leaves no table behind");
    }

    // 16. A league file with a rating or best accuracy that is not a finite number is corrupt.
    [Theory]
    [InlineData("rating", "NaN")]
    [InlineData("rating", "Infinity")]
    [InlineData("rating", "1e400")]
    [InlineData("bestAccuracy", "NaN")]
    [InlineData("bestAccuracy", "-Infinity")]
    public void A_league_file_with_a_number_that_is_not_finite_is_corrupt(string field, string value)
    {
        string path = Path.Combine(_folder, "league.json");
        File.WriteAllText(
            path,
            $$"""
            {
              "format": 1,
              "players": [
                { "key": "a", "strategy": "a", "knobs": {}, "rating": 1500, "heats": 1, "wins": 0, "draws": 0, "losses": 1, "bestAccuracy": 0.5 }
              ],
              "recordedHeats": []
            }
            """.Replace($"\"{field}\": {(field == "rating" ? "1500" : "0.5")}", $"\"{field}\": {value}")
        );
        string before = File.ReadAllText(path);
        before.Should().Contain($"\"{field}\": {value}");
        FluentActions
            .Invoking(() => new LeagueFile(path).Load())
            .Should()
            .Throw<NasException>()
            .WithMessage($"League file {path} is corrupt: \"players[0].{field}\" must be a finite number (line 4,*");
        File.ReadAllText(path).Should().Be(before);
    }
}
