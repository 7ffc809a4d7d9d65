using System.IO.Compression;
using System.Text;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Evaluation.Data;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Objectives;
using Nas.Sandbox.Core.Spaces;
using Xunit.Sdk;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Random bytes and mutations of a valid input (truncations, bit flips, inserted garbage, deleted or repeated spans)
/// fed to every parser of user input: each must either succeed or throw a <see cref="NasException"/>, which the CLI
/// prints as one line naming the file, line or field. Any other exception escaping is a bug (it would print a stack
/// trace). Seeded, so a failure reproduces.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private const int RandomInputs = 150,
        Mutations = 250;

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Idx_parsing_of_raw_bytes_succeeds_or_names_the_problem()
    {
        byte[] valid = TinyIdx();
        IdxFile.Parse(valid, "valid").Shape.Should().Equal(3, 2, 2);
        Fuzz(valid, seed: 1, bytes => IdxFile.Parse(bytes, "fuzz.idx"));
    }

    [Fact]
    public void Idx_reading_of_gzip_files_succeeds_or_names_the_problem()
    {
        byte[] valid = Gzip(TinyIdx());
        string path = Path.Combine(_folder, "images.idx.gz");
        File.WriteAllBytes(path, valid);
        IdxFile.Read(path).Count.Should().Be(3);
        Fuzz(valid, seed: 2, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            IdxFile.Read(path);
        });
        // The real labels file of the test subset, mutated.
        Fuzz(
            File.ReadAllBytes(Path.Combine(TestData.FashionMnistSubsetDirectory, FashionMnist.TestLabels)),
            seed: 3,
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                IdxFile.Read(path);
            },
            randomInputs: 0
        );
    }

    [Fact]
    public void Table_loading_succeeds_or_names_the_problem()
    {
        byte[] valid = Encoding.UTF8.GetBytes(
            string.Join("\n", File.ReadLines(ShippedTables.DefaultPath).Take(12)) + "\n"
        );
        string path = Path.Combine(_folder, "table.csv");
        var operations = OperationRegistry.CreateDefault().Names;
        File.WriteAllBytes(path, valid);
        TabularTable.Load(path, new TableColumns(), operations).Count.Should().Be(11);
        Fuzz(valid, seed: 4, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            TabularTable.Load(path, new TableColumns(), operations);
        });
    }

    [Fact]
    public void Table_column_mappings_succeed_or_name_the_problem()
    {
        string table = Path.Combine(_folder, "mapped.csv");
        string sidecar = TableColumns.SidecarPath(table);
        byte[] valid = Encoding.UTF8.GetBytes("""{ "arch": "a", "validation": "v", "test": null, "percent": true }""");
        File.WriteAllBytes(sidecar, valid);
        TableColumns.For(table, null, null).Architecture.Should().Be("a");
        Fuzz(valid, seed: 5, bytes =>
        {
            File.WriteAllBytes(sidecar, bytes);
            TableColumns.For(table, null, null);
        });
        File.Delete(sidecar);
        FuzzText(
            "arch=a,validation=v,percent=true,test=",
            seed: 6,
            text => TableColumns.For(table, text, null),
            "arch=validation,percent1;"
        );
    }

    [Fact]
    public void Architecture_strings_parse_or_name_the_position()
    {
        const string valid =
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
        var space = new Nb201Space();
        space.Parse(valid).Key.Should().Be(valid);
        // The documented contract of ISearchSpace.Parse (Abstractions knows no NasException): ArchitectureFormatException.
        // Where a user gives an architecture (a table row), it becomes a NasException naming the file and line.
        FuzzText(
            valid,
            seed: 7,
            text => space.Parse(text),
            "|~+0123none_skip",
            allowed: typeof(ArchitectureFormatException)
        );
    }

    [Fact]
    public void Option_values_parse_or_name_the_option()
    {
        FuzzText(
            "accuracy-0.5*params+0.1*latency1",
            seed: 8,
            text => RaceObjective.Parse(text),
            "accuracy params flops latency1 64 +-*.e0123456789"
        );
        FuzzText(
            "pareto:accuracy,params,flops",
            seed: 9,
            text => RaceObjective.Parse(text),
            "pareto:accuracy,params,flops,latency1"
        );
        var pareto = RaceObjective.Parse("pareto:accuracy,params");
        FuzzText(
            "accuracy=0.1,params=2.5",
            seed: 10,
            text => ParetoReference.Parse(text, pareto),
            "accuracy=params,0.1-e9"
        );
        FuzzText("regularized-evolution:population=10,sample=3", seed: 11, text => ContestantSpec.Parse(text), "ab:=,");
        var knobs = new[]
        {
            new Knob("count", "3", "an integer"),
            new Knob("rate", "0.5", "a number"),
            new Knob("flag", "false", "a bool"),
        };
        // KnobException is the Abstractions' user error for knobs; the CLI prints it like a NasException.
        FuzzText(
            "count=3,rate=0.25,flag=true",
            seed: 12,
            text =>
            {
                var spec = ContestantSpec.Parse("s:" + text);
                var values = KnobValues.Create("s", knobs, spec.Knobs);
                values.GetInt("count", min: 0);
                values.GetDouble("rate", 0, 1);
                values.GetBool("flag");
            },
            "count=rate,flag0.1e9truefalse-",
            allowed: typeof(KnobException)
        );
    }

    [Fact]
    public async Task Journals_read_or_name_the_line()
    {
        string path = Path.Combine(_folder, "race.jsonl");
        byte[] valid = await ParetoJournal();
        File.WriteAllBytes(path, valid);
        ParetoCommand.Rebuild(path, null).Contestants.Should().HaveCount(2);
        Fuzz(
            valid,
            seed: 13,
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                _ = JournalReader.Read(path).Lines.Count(); // Lines reads lazily: enumerate them all
                ParetoCommand.Rebuild(path, null);
            },
            randomInputs: 100,
            mutations: 300
        );
    }

    [Fact]
    public void League_files_load_or_name_the_field()
    {
        var info = new ContestantInfo(
            "random-search",
            "random-search",
            "plugin",
            "here",
            "1",
            new Dictionary<string, string>()
        );
        var standings = LeagueStandings.Empty.WithHeat(
            "h1",
            [
                (info, 0.5),
                (
                    info with
                    {
                        Label = "b:x=1",
                        Strategy = "b",
                        Knobs = new Dictionary<string, string> { ["x"] = "1" },
                    },
                    0.7
                ),
            ],
            new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc)
        );
        byte[] valid = Encoding.UTF8.GetBytes(LeagueFormat.Write(standings));
        var file = new LeagueFile(Path.Combine(_folder, "league.json"));
        File.WriteAllBytes(file.Path, valid);
        file.Load().Players.Should().HaveCount(2);
        Fuzz(valid, seed: 14, bytes =>
        {
            File.WriteAllBytes(file.Path, bytes);
            file.Load();
        });
    }

    /// <summary>A small valid journal of a 2-heat Pareto race of two contestants, as the referee writes it.</summary>
    private static async Task<byte[]> ParetoJournal()
    {
        var journal = new ListJournal();
        var catalog = new Nas.Sandbox.Core.Hosting.StrategyCatalog([
            new TestStrategyFactory("a", () => new DelegateStrategy(c => c.Space.Sample(c.Random))).Entry(),
            new TestStrategyFactory("b", () => new DelegateStrategy(c => c.Space.Sample(c.Random))).Entry(),
        ]);
        await new Referee(new Nb201Space(), new SizedEstimatorForFuzz(), catalog, journal).RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("a"), ContestantSpec.Parse("b")],
                Budget = 4,
                Heats = 2,
                Seed = 1,
                Objective = RaceObjective.Parse("pareto:accuracy,params"),
            }
        );
        var text = new StringBuilder();
        foreach (var e in journal.Events)
            text.Append(JournalFormat.ToJson(e).ToString(Newtonsoft.Json.Formatting.None)).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class SizedEstimatorForFuzz : IEstimator
    {
        public string Name => "sized";

        public Task<EvaluationResult> EvaluateAsync(
            Architecture architecture,
            EvaluationRequest request,
            CancellationToken cancellation
        )
        {
            int convs = architecture.Choices.Count(c => c.StartsWith("nor_conv", StringComparison.Ordinal));
            return Task.FromResult(
                new EvaluationResult
                {
                    Status = TrialStatus.Ok,
                    CostSeconds = 1,
                    Fidelity = request.Fidelity,
                    Metrics = new Metrics
                    {
                        ValidationAccuracy = 0.1 + 0.8 * convs / 6.0,
                        Parameters = 50_000 + 100_000 * convs,
                    },
                }
            );
        }
    }

    /// <summary>An IDX file of 3 items of 2×2 unsigned bytes.</summary>
    internal static byte[] TinyIdx() =>
        [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    internal static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>Feeds random byte strings and mutations of <paramref name="valid"/> to <paramref name="parse"/>.</summary>
    internal static void Fuzz(
        byte[] valid,
        int seed,
        Action<byte[]> parse,
        int randomInputs = RandomInputs,
        int mutations = Mutations,
        Type? allowed = null
    )
    {
        var random = new Random(seed);
        for (int i = 0; i < randomInputs; i++)
        {
            var bytes = new byte[random.Next(0, i < randomInputs / 2 ? 32 : 600)];
            random.NextBytes(bytes);
            Survives(bytes, parse, allowed, $"random input {i} (seed {seed})");
        }
        for (int i = 0; i < mutations; i++)
            Survives(Mutate(valid, random), parse, allowed, $"mutation {i} (seed {seed})");
    }

    /// <summary>
    /// As <see cref="Fuzz"/> for text: random strings over <paramref name="alphabet"/> (the grammar's own characters
    /// reach deeper than random bytes) and over all of Unicode, and mutations of <paramref name="valid"/>.
    /// </summary>
    internal static void FuzzText(string valid, int seed, Action<string> parse, string alphabet, Type? allowed = null)
    {
        var random = new Random(seed);
        for (int i = 0; i < RandomInputs; i++)
        {
            var chars = new char[random.Next(0, 60)];
            for (int c = 0; c < chars.Length; c++)
                chars[c] = i % 3 == 0 ? (char)random.Next(1, 0xD7FF) : alphabet[random.Next(alphabet.Length)];
            string text = new(chars);
            Survives(text, parse, allowed, $"random text {i} (seed {seed})");
        }
        Fuzz(
            Encoding.UTF8.GetBytes(valid),
            seed,
            bytes => parse(Encoding.UTF8.GetString(bytes)),
            randomInputs: RandomInputs,
            allowed: allowed
        );
    }

    private static void Survives<T>(T input, Action<T> parse, Type? allowed, string what)
    {
        try
        {
            parse(input);
        }
        catch (Exception e) when (e is NasException || allowed?.IsInstanceOfType(e) == true)
        {
            e.Message.Should().NotBeNullOrWhiteSpace();
        }
        catch (Exception e)
        {
            string shown = input is byte[] bytes
                ? Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 200)))
                : input?.ToString() ?? "";
            throw new XunitException(
                $"{what}: {e.GetType().Name} escaped the parser instead of a NasException: {e}\ninput: {shown}"
            );
        }
    }

    /// <summary>One to three of: truncation, bit flips, inserted garbage, a deleted span, a repeated span, a huge number, an extreme byte.</summary>
    internal static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        int steps = random.Next(1, 4);
        for (int s = 0; s < steps; s++)
        {
            switch (random.Next(7))
            {
                case 0:
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 1:
                    for (int f = random.Next(1, 5); f > 0 && bytes.Count > 0; f--)
                    {
                        int at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }
                    break;
                case 2:
                    var garbage = new byte[random.Next(1, 16)];
                    random.NextBytes(garbage);
                    bytes.InsertRange(random.Next(bytes.Count + 1), garbage);
                    break;
                case 3:
                    if (bytes.Count > 0)
                    {
                        int start = random.Next(bytes.Count);
                        bytes.RemoveRange(start, random.Next(1, Math.Min(32, bytes.Count - start) + 1));
                    }
                    break;
                case 4:
                    if (bytes.Count > 0)
                    {
                        int start = random.Next(bytes.Count),
                            length = random.Next(1, Math.Min(64, bytes.Count - start) + 1);
                        bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(start, length));
                    }
                    break;
                case 5:
                    // A number far beyond any integer type.
                    int digit = bytes.FindIndex(random.Next(Math.Max(1, bytes.Count)), b =>
                        b is >= (byte)'0' and <= (byte)'9'
                    );
                    if (digit >= 0)
                        bytes.InsertRange(digit, "99999999999999999999999"u8.ToArray());
                    break;
                default:
                    // A digit or a byte set to an extreme: sizes, counts and numbers at their edges.
                    if (bytes.Count > 0)
                        bytes[random.Next(bytes.Count)] = (byte)(
                            random.Next(3) switch
                            {
                                0 => 0xFF,
                                1 => 0x7F,
                                _ => '9',
                            }
                        );
                    break;
            }
        }
        return bytes.ToArray();
    }
}

/// <summary>The pack manifest reader and the pack verifier, fed random bytes and mutations of a good pack.</summary>
public sealed class PackFuzzTests(Packs.PackFixture fixture) : IClassFixture<Packs.PackFixture>
{
    [Fact]
    public void Pack_manifests_read_or_name_the_field()
    {
        string valid;
        using (var archive = ZipFile.OpenRead(fixture.GoodPack))
        using (
            var reader = new StreamReader(
                archive.GetEntry(Nas.Sandbox.Core.Hosting.Packs.PackFormat.ManifestFile)!.Open()
            )
        )
            valid = reader.ReadToEnd();
        Nas.Sandbox.Core.Hosting.Packs.PackManifestJson.Read(valid, "good").Id.Should().Be("Pack.Probe");
        ParserFuzzTests.Fuzz(Encoding.UTF8.GetBytes(valid), seed: 20, bytes =>
            Nas.Sandbox.Core.Hosting.Packs.PackManifestJson.Read(Encoding.UTF8.GetString(bytes), "fuzz.nupkg")
        );
    }

    [Fact]
    public void Packs_verify_or_name_the_entry()
    {
        byte[] valid = File.ReadAllBytes(fixture.GoodPack);
        string path = Path.Combine(fixture.Folder, "fuzz.nupkg");
        ParserFuzzTests.Fuzz(
            valid,
            seed: 21,
            bytes =>
            {
                File.WriteAllBytes(path, bytes);
                Nas.Sandbox.Core.Hosting.Packs.PackVerifier.Verify(path);
            },
            randomInputs: 50,
            mutations: 300
        );
    }
}
