using System.CommandLine;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas race --resume JOURNAL</c>: the race's options are rebuilt from its journal (contestants as they were
/// given, so scripts and plugins load from their recorded paths), and the journal is appended to. Options that
/// define a race may not be given again; options about this run (<c>--json</c>, <c>--watch</c>, <c>--device</c>,
/// <c>--plugins</c>, <c>--scripts</c>, <c>--league</c>, <c>--verbose</c>, <c>--isolation</c>: the journal's by default) may.
/// </summary>
internal static class RaceResume
{
    public const string Option = "--resume";

    public static Option<string?> CreateOption() =>
        new(Option)
        {
            Description =
                "continue a race from its journal (killed, crashed or stopped): nothing recorded is paid for again",
            HelpName = "JOURNAL",
        };

    /// <summary>
    /// Opens the journal a prepared race appends to, locked against other nas processes while the race runs. A new race
    /// gets a new file: a default name is created new, a named journal must be empty (checked under the lock, so two
    /// races cannot both pass). With <see cref="Option"/> (<paramref name="journal"/>), <paramref name="point"/> is where
    /// the race stopped. Null when the resumed race already finished (see <see cref="Point"/>).
    /// </summary>
    public static JournalWriter? OpenJournal(
        string? journal,
        PreparedRace race,
        bool json,
        Action<string> warn,
        out ResumePoint? point
    )
    {
        point = null;
        bool syncTrials = !race.CheapTrials;
        if (journal is not null)
        {
            point = Point(race, json, warn, out var resumed);
            return resumed;
        }
        if (!race.JournalNamed)
            return JournalWriter.CreateNew(race.JournalPath, syncTrials);
        var writer = new JournalWriter(race.JournalPath, syncTrials);
        RequireNewJournal(race.JournalPath, writer);
        return writer;
    }

    /// <summary>
    /// Where a prepared race resumes, read under the lock of <paramref name="writer"/> (opened here, a torn last line
    /// repaired), so that no other process appends to the journal between reading it and going on from there. Reports
    /// changed sources. When the race already finished: null (and no writer), said on stderr, and with
    /// <paramref name="json"/> the summary its race-finished line records printed on stdout, as <c>--json</c> printed
    /// it when the race ended.
    /// </summary>
    public static ResumePoint? Point(PreparedRace race, bool json, Action<string> warn, out JournalWriter? writer)
    {
        writer = null;
        string path = race.JournalPath;
        // A finished race ends with race-finished: told from the last line, without reading the rest or writing to the file.
        if (JournalReader.LastEvent(path) is { } last && (string?)last["type"] == JournalEventTypes.RaceFinished)
        {
            Finished(path, last, json);
            return null;
        }
        writer = new JournalWriter(path, syncTrials: !race.CheapTrials, repairTornTail: true);
        try
        {
            var point = ResumePoint.Read(JournalReader.Read(path), path, race.Space);
            if (point.FinishedEvent is { } finished)
            {
                // race-finished, then more lines: the race finished all the same.
                writer.Dispose();
                writer = null;
                Finished(path, finished, json);
                return null;
            }
            foreach (string change in ChangedSources(point, race.Host))
                warn(change);
            if (writer.Repaired == TailRepair.Cut)
                Console.Error.WriteLine($"{path}: cut its torn last line (a crash mid-write); that event is redone");
            if (writer.Repaired == TailRepair.Completed)
                Console.Error.WriteLine(
                    $"{path}: completed its last line with the newline a crash kept from being written"
                );
            Console.Error.WriteLine(
                $"resuming {path}: {point.HeatsFinished} heat(s) finished, {point.Trials} trial(s) recorded; none is paid for again"
            );
            return point;
        }
        catch
        {
            writer?.Dispose();
            writer = null;
            throw;
        }
    }

    private static void Finished(string path, JObject raceFinished, bool json)
    {
        Console.Error.WriteLine($"{path}: the race finished; there is nothing to resume.");
        if (!json)
            return;
        if (raceFinished["summary"] is JObject summary)
            Console.Out.WriteLine(summary.ToString(Newtonsoft.Json.Formatting.Indented));
        else
            Console.Error.WriteLine($"warning: {path}: its race-finished line records no summary to print.");
    }

    /// <summary>
    /// A new race may not be appended to a journal that holds one: its lines would mix with the old race's, and resuming
    /// either would then read both. The journal is the race's record, so the user chooses: resume it, or another path.
    /// Checked once <paramref name="writer"/> holds the journal's lock; a refused writer is closed, the file left alone.
    /// </summary>
    public static void RequireNewJournal(string path, JournalWriter writer)
    {
        if (writer.LengthAtOpen == 0)
            return;
        writer.Dispose();
        throw new NasException(
            $"--journal {path} already holds a race: continue it with {Option} {path}, or give another --journal path."
        );
    }

    /// <summary>The <c>--plugins</c> or <c>--scripts</c> folders the race was given (<see cref="RaceArguments.Folders"/>).</summary>
    private static IReadOnlyList<string> RecordedFolders(JObject started, string option, string where) =>
        RaceArguments.Folders(
            started,
            option,
            where,
            $"give {option} with where those files are (it replaces the recorded folders), or restore the folder."
        );

    /// <summary>The command line that resumes <paramref name="journal"/>, with the rest of this one's run options.</summary>
    public static ParseResult Reparse(Command command, ParseResult given, string journal)
    {
        var first = RaceRecord.ReadStarted(journal);
        var started = first.Event;
        var settings =
            started["settings"] as JObject ?? throw new NasException($"{journal}(1): race-started has no settings.");

        var tokens = given.Tokens.Select(t => t.Value).ToList();
        if (tokens.Count > 0 && tokens[0] == command.Name)
            tokens.RemoveAt(0);
        int at = tokens.IndexOf(Option);
        if (at >= 0)
            tokens.RemoveRange(at, Math.Min(2, tokens.Count - at));
        var defining = tokens
            .Where(t => PackRaceArguments.Options.Contains(t) || t is "--journal")
            .Distinct()
            .ToArray();
        if (defining.Length > 0)
            throw new NasException(
                $"{Option} takes the race's settings from its journal; remove {string.Join(", ", defining)}."
            );

        var arguments = new List<string>();
        foreach (var contestant in (settings["contestants"] as JArray ?? []).Select(c => (string)c!))
            arguments.AddRange(["--strategy", contestant]);
        // The folders the race was given load again, unless this command line names its own: they may provide the
        // race's space, operations or estimator. (Contestant scripts load from their recorded paths: RecordedScripts.)
        string where = $"{journal}({first.LineNumber})";
        if (!tokens.Contains("--scripts"))
            foreach (string folder in RecordedFolders(started, "--scripts", where))
                arguments.AddRange(["--scripts", folder]);
        if (!tokens.Contains("--plugins"))
        {
            var known = PluginLocations
                .For(typeof(RaceResume).Assembly)
                .Select(d => Path.GetFullPath(d.Path))
                .ToHashSet();
            foreach (string folder in RecordedFolders(started, "--plugins", where))
                if (known.Add(folder))
                    arguments.AddRange(["--plugins", folder]);
            // A journal from before the folders were recorded: a contestant found in a --plugins folder names it.
            foreach (var contestant in (started["contestants"] as JArray ?? []).OfType<JObject>())
                if (
                    (string?)contestant["source"] == StrategySource.PluginFolder
                    && (string?)contestant["origin"] is { } dll
                    && File.Exists(dll)
                    && Path.GetDirectoryName(Path.GetDirectoryName(dll)) is { } folder
                    && known.Add(folder)
                )
                    arguments.AddRange(["--plugins", folder]);
        }
        var recorded = RaceArguments.Settings(started, where, estimator => estimator, table => ["--table", table]);
        // A --cluster given here says where this run's trials go (another address of the cluster, or a cluster for a
        // race that ran here): it replaces the journal's.
        if (tokens.Contains("--cluster"))
            recorded = RaceArguments.Without(recorded, "--cluster");
        arguments.AddRange(recorded);
        arguments.AddRange(["--journal", journal]);
        // Contestants that ran in their own processes do again (a hostile one would otherwise take the race down), unless
        // this command line says where they run.
        if ((string?)settings["isolation"] == "process" && !tokens.Contains("--isolation"))
            arguments.AddRange(["--isolation", "process"]);
        arguments.AddRange(tokens);
        var reparsed = command.Parse(arguments);
        if (reparsed.Errors.Count > 0)
            throw new NasException(
                $"{journal}: the race's options cannot be rebuilt from it: {string.Join("; ", reparsed.Errors.Select(e => e.Message))}"
            );
        return reparsed;
    }

    /// <summary>
    /// The script each contestant of a journaled race was loaded from (label → full path), for contestants that were
    /// scripts and whose file is still there: a resumed race loads them from there, wherever it is run from, and
    /// whether they were named by a relative path or found in a --scripts folder.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RecordedScripts(string journal)
    {
        var started = StartedLine(journal);
        var scripts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var contestant in (started?["contestants"] as JArray ?? []).OfType<JObject>())
            if (
                (string?)contestant["contestant"] is { } label
                && (string?)contestant["origin"] is { } origin
                && (string?)contestant["source"] == StrategySource.Script
                && File.Exists(origin)
            )
                scripts[label] = origin;
        return scripts;
    }

    /// <summary>The journal's race-started event (its first line), read alone.</summary>
    private static JObject StartedLine(string journal) => RaceRecord.ReadStarted(journal).Event;

    /// <summary>A warning when a training race resumes at another libtorch thread count than it ran with (results then differ in the last digits).</summary>
    public static string? ThreadCountChange(string journal, RaceSettings now)
    {
        var settings = StartedLine(journal)?["settings"] as JObject;
        if (
            (int?)settings?["torchThreads"] is not { } recorded
            || now.TorchThreads is not { } current
            || recorded == current
        )
            return null;
        return $"the race ran with {recorded} libtorch thread(s) and resumes with {current}: training sums in another order, so results "
            + $"can differ from an uninterrupted run in about their 6th digit (set OMP_NUM_THREADS={recorded} to match).";
    }

    /// <summary>Contestants whose source changed since the journal recorded them: they resume on the new build.</summary>
    public static IEnumerable<string> ChangedSources(ResumePoint resume, Nas.Sandbox.Core.Hosting.SandboxHost host)
    {
        foreach (var contestant in (resume.Started["contestants"] as JArray ?? []).OfType<JObject>())
        {
            string strategy = (string?)contestant["strategy"] ?? "";
            string recorded = (string?)contestant["build"] ?? "";
            var now = host.Strategies.All.FirstOrDefault(s => s.Name == strategy);
            if (now is null || recorded.Length == 0 || now.Source.Build.Length == 0 || now.Source.Build == recorded)
                continue;
            yield return $"contestant '{contestant["contestant"]}': {now.Source.Origin} changed since the journal recorded it (build {recorded}, now {now.Source.Build}); it resumes on the new build, replaying its history.";
        }
    }
}
