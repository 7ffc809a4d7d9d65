using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Hostile contestants (<c>Hostile/*.csx</c>, one misbehaviour each) raced together with two well-behaved built-ins
/// through the real `nas` process, in-process isolation: the race finishes, the well-behaved get their whole budget,
/// and each culprit is journaled (<c>contestant-failed</c>) with the phase and reason of what it did. `nas` runs with a
/// 1 GiB managed heap limit (<c>DOTNET_GCHeapHardLimit</c>) so that the memory hogs are stopped fast without pressing
/// on the machine's memory. The call timeout is short enough that the one that hangs (forever: it overruns any limit)
/// costs seconds, and long enough that no other call overruns it on a loaded machine: filling the 1 GiB heap, the
/// slowest call that must finish, took 0.3 s with the load average at 25.
/// </summary>
public sealed class HostileRaceTests : IDisposable
{
    private static readonly string Scripts = Path.Combine(AppContext.BaseDirectory, "Hostile");
    private static readonly string[] WellBehaved = ["random-search", "regularized-evolution"];
    private static readonly string[] Hostile = Directory
        .GetFiles(Scripts, "*.csx")
        .Select(f => Path.GetFileNameWithoutExtension(f))
        .Order()
        .ToArray();
    private const int CallTimeoutSeconds = 5;

    private readonly string _folder = Directory.CreateTempSubdirectory("nas-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Races everyone with the given budget options; returns the journal's events.</summary>
    private List<JObject> Race(params string[] budget)
    {
        string journal = Path.Combine(_folder, "race.jsonl");
        string[] args =
        [
            "race",
            "--estimator",
            "tabular",
            .. budget,
            "--seed",
            "5",
            "--call-timeout",
            $"{CallTimeoutSeconds}",
            "--scripts",
            Scripts,
            "--journal",
            journal,
            .. WellBehaved.Concat(Hostile).SelectMany(s => new[] { "--strategy", s }),
        ];
        var (exit, _, err) = NasProcess.Run(
            new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = "0x40000000" },
            args
        );
        exit.Should().Be(0, err);
        return File.ReadLines(journal).Select(JObject.Parse).ToList();
    }

    private static IEnumerable<JObject> Of(List<JObject> events, string type, string contestant, int heat) =>
        events.Where(e =>
            (string)e["type"]! == type && (string?)e["contestant"] == contestant && (int?)e["heat"] == heat
        );

    /// <summary>The contestant's failures in a heat, as "phase: message".</summary>
    private static string[] Failures(List<JObject> events, string contestant, int heat) =>
        Of(events, "contestant-failed", contestant, heat).Select(e => $"{e["phase"]}: {e["message"]}").ToArray();

    private static JObject Standing(List<JObject> events, string contestant) =>
        (JObject)
            events.Single(e => (string)e["type"]! == "race-finished")["summary"]!["contestants"]!.Single(c =>
                (string)c["contestant"]! == contestant
            );

    [Fact]
    public void Hostile_contestants_with_an_evaluation_budget_are_journaled_and_everyone_else_races_on()
    {
        Hostile.Should().HaveCount(9);
        const int budget = 20,
            heats = 2;
        var events = Race("--budget", $"{budget}", "--heats", $"{heats}", "--contestant-memory", "0.25");
        events.Count(e => (string)e["type"]! == "race-finished").Should().Be(1);

        for (int heat = 0; heat < heats; heat++)
        {
            CheckCommonCulprits(events, heat);
            foreach (string good in WellBehaved.Append("asks-the-same-forever"))
            {
                Failures(events, good, heat).Should().BeEmpty(good);
                Of(events, "trial", good, heat)
                    .Should()
                    .HaveCount(budget)
                    .And.OnlyContain(t => (string)t["status"]! == "ok", good);
            }
            // Its repeats are served from its cache and use the budget up.
            Of(events, "trial", "asks-the-same-forever", heat).Count(t => (bool)t["cached"]!).Should().Be(budget - 1);
            foreach (string culprit in new[] { "throws-in-ask", "returns-null", "returns-foreign-architecture" })
                Failures(events, culprit, heat)
                    .Should()
                    .HaveCount(budget)
                    .And.OnlyContain(f => f.StartsWith("ask: "), culprit);
            Of(events, "trial", "throws-in-tell", heat).Should().HaveCount(budget);
            Failures(events, "throws-in-tell", heat)
                .Should()
                .HaveCount(budget)
                .And.OnlyContain(f => f.StartsWith("tell: ") && f.Contains("refuses to listen"));
            Failures(events, "hoards-memory", heat)
                .Should()
                .ContainSingle()
                .Which.Should()
                .Match(
                    "memory: kept about * MiB of managed memory after Ask (limit 256 MiB per contestant, --contestant-memory); its instance was dropped*"
                );
        }
        foreach (string good in WellBehaved)
            Standing(events, good)["evaluations"]!.Value<int>().Should().Be(budget * heats);
    }

    [Fact]
    public void Hostile_contestants_with_a_seconds_budget_alone_sit_out_and_the_race_finishes()
    {
        // Failed asks and repeats cost no seconds: without the referee's guard this race would never end.
        const double seconds = 30;
        var events = Race("--budget-seconds", $"{seconds}", "--heats", "1");
        events.Count(e => (string)e["type"]! == "race-finished").Should().Be(1);

        CheckCommonCulprits(events, 0);
        foreach (string good in WellBehaved)
        {
            Failures(events, good, 0).Should().BeEmpty(good);
            Of(events, "trial", good, 0).Should().OnlyContain(t => (string)t["status"]! == "ok");
            Standing(events, good)["seconds"]!
                .Value<double>()
                .Should()
                .BeGreaterThanOrEqualTo(seconds, "{0} spent its whole budget", good);
        }
        int max = Nas.Sandbox.Core.Racing.Referee.MaxFreeStepsInARow;
        foreach (string culprit in new[] { "throws-in-ask", "returns-null", "returns-foreign-architecture" })
        {
            var failures = Failures(events, culprit, 0);
            failures.Should().HaveCount(max + 1, culprit);
            failures[..max].Should().OnlyContain(f => f.StartsWith("ask: "));
            failures[max]
                .Should()
                .Be(
                    $"faults: spent nothing in {max} asks in a row ({max} failed, 0 repeats), so under a seconds budget alone it would never finish; it sits out the rest of the heat"
                );
        }
        Failures(events, "asks-the-same-forever", 0)
            .Should()
            .Equal(
                $"repeats: asked {max} times in a row for architectures it had already evaluated; it sits out the rest of the heat"
            );
        Of(events, "trial", "asks-the-same-forever", 0).Should().HaveCount(1 + max);
        Standing(events, "throws-in-tell")["seconds"]!.Value<double>().Should().BeGreaterThanOrEqualTo(seconds);
        // The default limit: a quarter of the 1 GiB heap.
        Failures(events, "hoards-memory", 0)
            .Should()
            .ContainSingle()
            .Which.Should()
            .Match("memory: kept about * MiB * (limit 256 MiB per contestant*");
    }

    /// <summary>The culprits that misbehave the same way whatever the budget.</summary>
    private static void CheckCommonCulprits(List<JObject> events, int heat)
    {
        Failures(events, "throws-in-constructor", heat)
            .Should()
            .Equal("create: InvalidOperationException: hostile: constructor refuses to build");
        Of(events, "trial", "throws-in-constructor", heat).Should().BeEmpty();

        int timeouts = Nas.Sandbox.Core.Racing.Referee.MaxTimeoutsInARow;
        Failures(events, "hangs-in-ask", heat)
            .Should()
            .Equal([
                .. Enumerable.Repeat($"ask: did not return within {CallTimeoutSeconds} s", timeouts),
                $"timeouts: overran the call timeout ({CallTimeoutSeconds} s) in {timeouts} asks in a row; it sits out the rest of the heat",
            ]);

        // Its first Ask meets the heap limit: the out-of-memory error lands in its own call, and nobody else's.
        Failures(events, "allocates-without-bound", heat)
            .Should()
            .Equal(
                "ask: OutOfMemoryException: the managed heap reached its limit",
                "memory: ran out of memory in Ask (managed heap limit 1 GiB); its instance was dropped and it sits out the rest of the heat"
            );
        events
            .Where(e => (string)e["type"]! == "contestant-failed" && ((string)e["message"]!).Contains("memory"))
            .Select(e => (string)e["contestant"]!)
            .Should()
            .OnlyContain(c => c == "allocates-without-bound" || c == "hoards-memory");
    }
}
