using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Data;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Bad input as a user meets it through `nas`: one `error:` line naming the file and line or field (or the option),
/// a non-zero exit code, and no stack trace unless --verbose.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Refused(params string[] args)
    {
        var (exit, stdout, stderr) = NasProcess.Run(args);
        exit.Should().NotBe(0, stdout);
        stderr.Should().StartWith("error: ").And.NotContain("   at ", "no stack trace without --verbose");
        return stderr;
    }

    private string[] TabularRace(string table, params string[] more) =>
        [
            "race",
            "--estimator",
            "tabular",
            "--table",
            table,
            "--budget",
            "2",
            "--heats",
            "1",
            "--strategy",
            "random-search",
            "--journal",
            Path.Combine(_folder, "race.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json"),
            .. more,
        ];

    private string Table(string name, params string[] lines)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private const string Arch =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    [Fact]
    public void A_truncated_gzip_idx_file_names_the_file()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder, "fmnist")).FullName;
        foreach (string file in Directory.GetFiles(TestData.FashionMnistSubsetDirectory, "*.gz"))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        string images = Path.Combine(folder, FashionMnist.TrainImages);
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 2)]);

        string stderr = Refused(
            "race",
            "--dataset",
            $"fashion-mnist:{folder}",
            "--budget",
            "1",
            "--strategy",
            "random-search",
            "--journal",
            Path.Combine(_folder, "race.jsonl"),
            "--league",
            Path.Combine(_folder, "league.json")
        );
        stderr.Should().Contain(images).And.Contain("truncated");
    }

    [Fact]
    public void An_idx_header_declaring_absurd_sizes_is_refused_before_allocating()
    {
        // 2^31-1 images of 28×28: 1.7 TB, declared by a 16-byte header.
        byte[] header = [0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28];
        string path = Path.Combine(_folder, "huge-idx3-ubyte.gz");
        File.WriteAllBytes(path, ParserFuzzTests.Gzip(header));
        FluentActions
            .Invoking(() => IdxFile.Read(path))
            .Should()
            .Throw<NasException>()
            .WithMessage($"{path}: the IDX header declares 2147483647×28×28 bytes of data, more than the 1024 MiB*");
        // Four dimensions whose product overflows a long are refused at the first step past the bound, too.
        FluentActions
            .Invoking(() =>
                IdxFile.Parse(
                    [
                        0,
                        0,
                        8,
                        4,
                        0x7F,
                        0xFF,
                        0xFF,
                        0xFF,
                        0x7F,
                        0xFF,
                        0xFF,
                        0xFF,
                        0x7F,
                        0xFF,
                        0xFF,
                        0xFF,
                        0x7F,
                        0xFF,
                        0xFF,
                        0xFF,
                    ],
                    "x"
                )
            )
            .Should()
            .Throw<NasException>()
            .WithMessage("x: the IDX header declares 2147483647×2147483647×2147483647×2147483647 bytes*");
    }

    [Fact]
    public void A_table_with_a_missing_column_names_the_file_line_and_column()
    {
        string table = Table("missing.csv", "arch,test_accuracy", $"{Arch},0.5");
        Refused(TabularRace(table))
            .Should()
            .Contain($"{table}:1: no column 'validation_accuracy' (validation) in the header");
    }

    [Fact]
    public void A_table_row_with_an_extra_column_names_the_file_and_line()
    {
        string table = Table(
            "extra.csv",
            "arch,validation_accuracy",
            $"{Arch},0.5",
            $"{Arch.Replace("skip_connect~2", "none~2")},0.4,0.3"
        );
        Refused(TabularRace(table)).Should().Contain($"{table}:3: 3 fields, but the header has 2.");
    }

    [Fact]
    public void A_malformed_architecture_in_a_table_names_the_file_line_column_and_position()
    {
        string table = Table(
            "arch.csv",
            "arch,validation_accuracy",
            $"{Arch},0.5",
            "|nor_conv_3x3~0|+|conv9~0|none~1|+|none~0|none~1|none~2|,0.4"
        );
        Refused(TabularRace(table))
            .Should()
            .Contain($"{table}:3, column 'arch': Malformed architecture")
            .And.Contain("position 18")
            .And.Contain("not 'conv9'");
    }

    [Theory]
    [InlineData("--budget", "-3", "--budget must be at least 1, not -3.")]
    [InlineData("--budget", "abc", "'abc' for option '--budget' (expected a whole number)")]
    [InlineData("--objective", "pareto:nonsense", "--objective 'pareto:nonsense': unknown metric 'nonsense'")]
    [InlineData("--strategy", "random-search:knob", "--strategy 'random-search:knob': 'knob' is not knob=value.")]
    [InlineData(
        "--strategy",
        "random-search:distinct=maybe",
        "--strategy 'random-search:distinct=maybe': Knob 'distinct' of 'random-search' must be true or false, not 'maybe'."
    )]
    [InlineData(
        "--strategy",
        "regularized-evolution:population=abc",
        "Knob 'population' of 'regularized-evolution' must be an integer, not 'abc'."
    )]
    [InlineData(
        "--operations",
        "skip_connect,nor_conv_3x3,skip_connect",
        "--operations lists skip_connect 2 times; each operation is one choice, listed once."
    )]
    public void A_bad_option_value_names_the_option(string option, string value, string expected)
    {
        Refused(
                "race",
                "--estimator",
                "tabular",
                option,
                value,
                "--heats",
                "1",
                "--journal",
                Path.Combine(_folder, "race.jsonl"),
                "--league",
                Path.Combine(_folder, "league.json")
            )
            .Should()
            .Contain(expected);
    }

    [Fact]
    public void An_unreadable_journal_names_the_file_and_line()
    {
        string random = Path.Combine(_folder, "random.jsonl");
        File.WriteAllBytes(random, Enumerable.Range(0, 500).Select(i => (byte)(i * 37 % 251)).ToArray());
        Refused("pareto", random).Should().Contain($"{random}(1): not a journal event");

        string missing = Path.Combine(_folder, "missing.jsonl");
        Refused("pareto", missing).Should().Contain($"Journal {missing} not found.");
    }

    [Fact]
    public void A_journal_with_a_bad_middle_line_or_a_mistyped_field_names_the_line()
    {
        string journal = Path.Combine(_folder, "race.jsonl");
        var (exit, _, stderr) = NasProcess.Run(
            "race",
            "--estimator",
            "tabular",
            "--objective",
            "pareto:accuracy,params",
            "--budget",
            "4",
            "--heats",
            "1",
            "--strategy",
            "random-search",
            "--journal",
            journal,
            "--league",
            Path.Combine(_folder, "league.json")
        );
        exit.Should().Be(0, stderr);
        var lines = File.ReadAllLines(journal);
        int trial = Array.FindIndex(lines, l => l.Contains("\"type\":\"trial\""));

        var broken = lines.ToArray();
        broken[trial] = broken[trial][..(broken[trial].Length / 2)];
        string middle = Path.Combine(_folder, "middle.jsonl");
        File.WriteAllLines(middle, broken);
        Refused("pareto", middle).Should().Contain($"{middle}({trial + 1}): not a journal event");

        var mistyped = lines.ToArray();
        mistyped[trial] = mistyped[trial].Replace("\"heat\":0", "\"heat\":\"first\"");
        string field = Path.Combine(_folder, "field.jsonl");
        File.WriteAllLines(field, mistyped);
        Refused("pareto", field)
            .Should()
            .Contain($"{field}({trial + 1}): trial event: field \"heat\" must be a whole number");

        // --verbose adds the stack trace to the same message.
        var (verboseExit, _, verbose) = NasProcess.Run("pareto", field, "--verbose");
        verboseExit.Should().NotBe(0);
        verbose.Should().StartWith("error: ").And.Contain("   at ").And.Contain("NasException");
    }
}
