using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Nas.Sandbox.Core.Estimators.Tabular;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Stages what another user needs to run a recorded race again: the scripts and plugins of its contestants (built-in
/// packs are everywhere and stay out), the script or plugin of its estimator and of its search space, the scripts or plugins of operations the space used beyond
/// the built-in ones, a table other than the shipped one, and the journal itself, to compare with. It writes the
/// <c>nas race</c> arguments that re-run the race into the manifest, with contestants named as the installed pack
/// provides them. A source that changed since the race is packed as it is now, with a warning.
/// </summary>
public static class RacePackSource
{
    public static PackMetadata Stage(string journalPath, PackStaging staging, SandboxHost host)
    {
        // The whole journal is read as a race's record, so a damaged one is refused before anything is packed; only its
        // race-started line and its lineup changes matter here.
        var record = RaceRecord.Read(journalPath, _ => (object?)null);
        string name = Path.GetFileName(journalPath);
        var first = record.Started;
        var started = first.Event;
        var arguments = new List<string>();
        // Typed reads: a hand-edited journal's mistyped field is an error naming the file, line and field.
        var f = record.StartedFields;

        foreach (var contestant in (started["contestants"] as JArray ?? []).OfType<JObject>())
            arguments.AddRange(["--strategy", Contestant(contestant, staging, journalPath, first.LineNumber, f)]);

        // A space from a script or plugin goes with the race: the recorded command names it (--space), and the
        // installed pack provides it.
        string space = started["settings"]?["space"] is { Type: JTokenType.String } named ? (string)named! : "nb201";
        CodeSources.StageSpace(space, staging, host);

        if (started["operations"] is JArray operations)
        {
            var names = operations
                .Select(o =>
                    o.Type == JTokenType.String ? (string)o! : throw f.Wrong(null, "operations", "must hold strings")
                )
                .ToArray();
            var builtIn = Evaluation.Operations.OperationRegistry.CreateDefault();
            // The journal records the space's choices; a space's own (nats-size's widths, a script space's) are not
            // operations, and only a list the race chose with --operations can hold operations from elsewhere.
            if (SandboxHost.UnlessDefault(host.ResolveSpace(space), names) is { } chosen)
                foreach (string op in chosen.Where(o => !builtIn.Contains(o)))
                    CodeSources.StageOperation(op, staging, host);
        }
        else
            staging.Warnings.Add(
                $"{name} does not record the space's operations (journals before this version); the race runs on the default operations or the table's."
            );
        bool ladder = started["settings"]?["fidelities"] is JArray { Count: > 0 };
        bool tabular =
            started["settings"]?["estimator"] is { Type: JTokenType.String } recorded && (string)recorded! == "tabular";
        var settings = RaceArguments.Settings(
            started,
            $"{journalPath}({first.LineNumber})",
            estimator => CodeSources.StageEstimator(estimator, staging, host),
            table => Table(table, ShippedTables.DefaultFor(ladder), staging)
        );
        // A cluster, and the cap on its slots, belong to the machines that raced: whoever installs the pack runs the
        // race on their own machine, and adds --cluster or --workers to the command if they have them. (A table's
        // workers are simulated, one clock per contestant: part of the race, so they stay.)
        if (started["settings"]?["cluster"] is { Type: JTokenType.String } cluster)
        {
            settings = tabular
                ? RaceArguments.Without(settings, "--cluster")
                : RaceArguments.Without(settings, "--cluster", "--workers");
            staging.Warnings.Add(
                $"{name} raced on the cluster {cluster}; the recorded command runs on one machine (add --cluster{(tabular ? "" : " or --workers")} to it)."
            );
        }
        // Contestants that ran in their own processes do so for whoever runs the race again.
        if (
            started["settings"]?["isolation"] is { Type: JTokenType.String } isolation
            && (string)isolation! == "process"
        )
            settings.AddRange(["--isolation", "process"]);
        // Data never travels (a data set is installed where it is used); a folder named with the data set is this
        // machine's.
        if (started["settings"]?["dataset"] is { Type: JTokenType.String } dataset && ((string)dataset!).Contains(':'))
            staging.Warnings.Add(
                $"{name} read its data from {(string)dataset!}, which does not travel in a pack; whoever runs the recorded command needs those files at that path, or edits --dataset."
            );
        arguments.AddRange(settings);

        var changed = record.LineupChanges;
        if (changed.Count > 0)
            staging.Warnings.Add(
                $"{name} lines {string.Join(", ", changed)}: contestants were added or removed during the race; the recorded command races the starting lineup."
            );
        string journalInPack = $"{PackFormat.RaceFolder}/{name}";
        staging.AddFile(journalPath, journalInPack);
        staging.Race = new PackRace(arguments, journalInPack);
        return new PackMetadata
        {
            Id = Path.GetFileNameWithoutExtension(name),
            Description =
                $"The contestants of race {Path.GetFileNameWithoutExtension(name)}, to run it again: nas race {string.Join(" ", arguments)}",
        };
    }

    /// <summary>Packs a contestant's source and returns its <c>--strategy</c> value (name and knobs).</summary>
    private static string Contestant(
        JObject contestant,
        PackStaging staging,
        string journalPath,
        int line,
        JournalFields f
    )
    {
        string label = f.OptionalString("contestant", contestant) ?? "?";
        string strategy = f.OptionalString("strategy", contestant)
            ?? throw new PackException($"{journalPath}({line}): contestant '{label}' has no strategy name.");
        string kind = f.OptionalString("source", contestant) ?? "";
        string origin = f.OptionalString("origin", contestant) ?? "";
        string recorded = f.OptionalString("build", contestant) ?? "";
        if (kind != StrategySource.BuiltInPack)
        {
            if (!File.Exists(origin))
                throw new PackException(
                    $"{journalPath}({line}): contestant '{label}' came from {origin}, which no longer exists."
                );
            string now;
            // A script, whether loose or from an installed pack, is packed as a script; anything else is a plugin.
            if (origin.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
                now = staging.AddScript(origin).Build;
            else
            {
                staging.AddPlugin(Path.GetDirectoryName(origin)!);
                now = ModuleVersionId(origin);
            }
            if (recorded.Length > 0 && now.Length > 0 && now != recorded)
                staging.Warnings.Add(
                    $"contestant '{label}': {origin} changed since the race (build {recorded} raced, {now} is packed); results may differ."
                );
        }
        var knobs = (contestant["knobs"] as JObject ?? [])
            .Properties()
            .Select(p => $"{p.Name}={f.OptionalString(p.Name, (JObject)p.Parent!)}")
            .ToArray();
        return knobs.Length == 0 ? strategy : $"{strategy}:{string.Join(",", knobs)}";
    }

    /// <summary>The <c>--table</c> of the recorded command: none for the table the race gets by default (every host ships it), else the table, packed.</summary>
    private static IEnumerable<string> Table(string table, string shippedDefault, PackStaging staging)
    {
        if (!File.Exists(table))
            throw new PackException($"The race's table {table} no longer exists.");
        if (File.Exists(shippedDefault) && SameBytes(table, shippedDefault))
            return [];
        string inPack = $"{PackFormat.RaceFolder}/{Path.GetFileName(table)}";
        staging.AddFile(table, inPack);
        return ["--table", $"{PackRace.PackFolderToken}/{inPack}"];
    }

    private static bool SameBytes(string a, string b) =>
        new FileInfo(a).Length == new FileInfo(b).Length
        && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    /// <summary>The build id a race journals for a plugin: the first 8 hex digits of its module version id.</summary>
    private static string ModuleVersionId(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid).ToString("N")[..8];
    }
}
