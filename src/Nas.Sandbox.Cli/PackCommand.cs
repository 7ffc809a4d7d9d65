using System.CommandLine;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas pack new|build|install|list|remove|verify</c>: packs are NuGet packages of strategies, estimators,
/// operations and scripts (see <see cref="PackFormat"/>). Installed packs live in the home's <c>packs</c> folder
/// (<see cref="NasHome"/>) and are loaded by every host like any plugin or script. They run with full trust: <c>verify</c> is how to check a pack
/// (hashes, manifest, API) before installing it.
/// </summary>
internal static class PackCommand
{
    public static Command Create()
    {
        var command = new Command(
            "pack",
            "Plugin packs: scaffold, build, share, install, check. Installed packs run with full trust: verify before you install."
        );
        command.Subcommands.Add(PackNewCommand.Create());
        command.Subcommands.Add(Build());
        command.Subcommands.Add(Install());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Verify());
        return command;
    }

    private static Command Build()
    {
        var source = new Argument<string?>("SOURCE")
        {
            Description = "a pack project (folder with one .csproj, or the .csproj), or a folder of scripts",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var fromRace = new Option<string?>("--from-race")
        {
            Description =
                "pack the scripts and plugins of a race's contestants, from its journal, so that others can run it again",
            HelpName = "JOURNAL",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "folder to write ID.VERSION.nupkg to (a local feed)",
            DefaultValueFactory = _ => ".",
        };
        var id = new Option<string?>("--id")
        {
            Description = "pack id [project's PackageId, folder's name, or the journal's name]",
        };
        var version = new Option<string?>("--version")
        {
            Description = "semantic version [project's Version, or 1.0.0]",
        };
        var description = new Option<string?>("--description")
        {
            Description = "what the pack is for [a list of what it provides]",
        };
        var authors = new Option<string?>("--authors")
        {
            Description = "comma-separated authors [project's Authors, or your user name]",
        };
        var license = new Option<string?>("--license")
        {
            Description = "SPDX license expression, e.g. MIT [project's PackageLicenseExpression]",
        };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "build",
            "Build a pack (ID.VERSION.nupkg) from a project, a folder of scripts, or a race's journal."
        )
        {
            source,
            fromRace,
            output,
            id,
            version,
            description,
            authors,
            license,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string? folder = result.GetValue(source);
                    string? journal = result.GetValue(fromRace);
                    if ((folder is null) == (journal is null))
                        throw new PackException(
                            "nas pack build needs one source: a project or script folder (SOURCE), or --from-race JOURNAL."
                        );
                    var given = new PackMetadata
                    {
                        Id = result.GetValue(id),
                        Version = result.GetValue(version),
                        Description = result.GetValue(description),
                        Authors = result
                            .GetValue(authors)
                            ?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        License = result.GetValue(license),
                    };
                    // Where the pack goes, and what it is called, are checked before anything is compiled or published.
                    OutputPaths.Folder(result.GetValue(output)!, "--output");
                    PackWriter.Check(given);
                    using var staging = new PackStaging();
                    PackMetadata found;
                    if (journal is not null)
                    {
                        // The plugin and script folders the race was given hold what its space, operations or
                        // estimator may come from: the pack carries those files.
                        var (plugins, scripts) = RecordedFolders(journal);
                        using var host = SandboxHost.Create(
                            typeof(PackCommand).Assembly,
                            plugins,
                            scripts,
                            lazyScripts: true
                        );
                        found = RacePackSource.Stage(journal, staging, host);
                    }
                    else if (ProjectPackSource.FindProject(folder!) is { } project)
                    {
                        Console.Error.WriteLine($"publishing {project} ...");
                        found = ProjectPackSource.Stage(project, staging);
                    }
                    else
                        found = FolderPackSource.Stage(folder!, staging);
                    var pack = PackWriter.Write(staging, given.Or(found), result.GetValue(output)!);
                    foreach (string warning in staging.Warnings.Concat(PackBuiltInNames.Warnings(pack.Manifest)))
                        Console.Error.WriteLine($"warning: {warning}");
                    Console.Out.WriteLine(
                        $"built {pack.Manifest.Display}: {pack.Path} ({Files(pack.Manifest.Files.Count)}, {new FileInfo(pack.Path).Length / 1024.0:0.#} KB)"
                    );
                    PrintContents(pack.Manifest, indent: "  ");
                    Console.Out.WriteLine($"check it with:   nas pack verify {pack.Path}");
                    Console.Out.WriteLine($"install it with: nas pack install {pack.Path}");
                    return Task.FromResult(0);
                }));
        return command;
    }

    private static Command Install()
    {
        var pack = new Argument<string>("PACK")
        {
            Description = "a .nupkg file, or a pack id to find on --source feeds",
        };
        var sources = new Option<string[]>("--source", "-s")
        {
            Description = "feed to find a pack id on: a folder of .nupkg files or a NuGet feed URL; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var version = new Option<string?>("--version")
        {
            Description = "the version to install from a feed [the newest stable]",
        };
        var force = new Option<bool>("--force") { Description = "reinstall even when the same version is installed" };
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "install",
            "Verify and install a pack into packs/ of the home ($NAS_HOME, default ~/.nas), atomically; replaces an installed version of the same id."
        )
        {
            pack,
            sources,
            version,
            force,
            verbose,
        };
        command.SetAction((result, cancellation) => CommonOptions.GuardAsync(result.GetValue(verbose), async () =>
                {
                    string given = result.GetValue(pack)!;
                    string? download = null;
                    try
                    {
                        string path = given;
                        if (!File.Exists(given))
                        {
                            if (given.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase))
                                throw new PackException($"Pack {given} not found.");
                            // A folder here is more likely a feed or a source than an id: said, rather than "no feed".
                            if (Directory.Exists(given) && (result.GetValue(sources) ?? []).Length == 0)
                                throw new PackException(
                                    $"PACK {given} is a folder: give a .nupkg file, or a pack id with --source {given} if "
                                        + $"that folder is a feed of .nupkg files (nas pack build {given} makes a pack of a source folder)."
                                );
                            RequireId(given);
                            download = Path.Combine(
                                Path.GetTempPath(),
                                "nas-download-" + Guid.NewGuid().ToString("N")[..12]
                            );
                            path = await PackFeed.DownloadAsync(
                                given,
                                result.GetValue(version),
                                result.GetValue(sources) ?? [],
                                download,
                                cancellation
                            );
                        }
                        else if (result.GetValue(version) is { } wanted)
                            throw new PackException(
                                $"--version {wanted} is for installing an id from a feed; {given} is a file."
                            );
                        var store = PackStore.ForUser();
                        var installed = store.Install(path, result.GetValue(force));
                        var manifest = installed.Pack.Manifest;
                        if (installed.AlreadyInstalled)
                            Console.Out.WriteLine(
                                $"{manifest.Display} is already installed in {installed.Pack.Folder} (--force reinstalls it)."
                            );
                        else
                            Console.Out.WriteLine(
                                installed.PreviousVersion is { } previous
                                    ? $"installed {manifest.Display} in {installed.Pack.Folder}, replacing {previous}"
                                    : $"installed {manifest.Display} in {installed.Pack.Folder}"
                            );
                        PrintContents(manifest, indent: "  ", installed.Pack.Folder);
                        foreach (string warning in LoadWarnings(manifest, installed.Pack.Folder))
                            Console.Error.WriteLine($"warning: {warning}");
                        Console.Out.WriteLine(
                            "It runs with full trust from now on, in every race (nas list shows what it provides)."
                        );
                        return 0;
                    }
                    finally
                    {
                        if (download is not null && Directory.Exists(download))
                            Directory.Delete(download, recursive: true);
                    }
                }));
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json("print as one JSON document");
        var verbose = CommonOptions.Verbose();
        var command = new Command("list", "The installed packs and what each provides.") { json, verbose };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var store = PackStore.ForUser();
                    var packs = store.Installed();
                    if (result.GetValue(json))
                        Console.Out.WriteLine(
                            new JObject
                            {
                                ["folder"] = store.Root,
                                ["packs"] = new JArray(packs.Select(p => Describe(p.Manifest, p.Folder))),
                                ["problems"] = new JArray(store.Problems()),
                            }.ToString(Formatting.Indented)
                        );
                    else
                    {
                        if (packs.Count == 0)
                            Console.Out.WriteLine($"no packs installed in {store.Root}");
                        foreach (var pack in packs)
                        {
                            Console.Out.WriteLine(
                                $"{pack.Manifest.Display}  (API {pack.Manifest.Api.ToNormalizedString()}, {pack.Manifest.License}, by {string.Join(", ", pack.Manifest.Authors)})"
                            );
                            Console.Out.WriteLine($"  {pack.Manifest.Description}");
                            PrintContents(pack.Manifest, indent: "  ", pack.Folder);
                        }
                        foreach (string problem in store.Problems())
                            Console.Error.WriteLine($"warning: {problem}");
                    }
                    return Task.FromResult(0);
                }));
        return command;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("ID") { Description = "the installed pack's id" };
        var verbose = CommonOptions.Verbose();
        var command = new Command("remove", "Remove an installed pack.") { id, verbose };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string given = result.GetValue(id)!;
                    if (PackId.Problem(given) is { } problem)
                        throw new PackException($"ID {given}: {problem}.");
                    var removed = PackStore.ForUser().Remove(given);
                    Console.Out.WriteLine($"removed {removed.Display} from {removed.Folder}");
                    return Task.FromResult(0);
                }));
        return command;
    }

    private static Command Verify()
    {
        var pack = new Argument<string>("PACK")
        {
            Description = "a .nupkg file, or the id of an installed pack (its files are re-hashed)",
        };
        var json = CommonOptions.Json("print the manifest as JSON when the pack is sound");
        var verbose = CommonOptions.Verbose();
        var command = new Command(
            "verify",
            "Check a pack without installing it or running any of its code: entry paths, hashes, manifest, API compatibility."
        )
        {
            pack,
            json,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    string given = result.GetValue(pack)!;
                    PackManifest manifest;
                    if (File.Exists(given) || given.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase))
                    {
                        manifest = PackVerifier.Verify(given).Manifest;
                        if (!result.GetValue(json))
                            Console.Out.WriteLine(
                                $"ok: {manifest.Display}: every entry stays in the pack, {(manifest.Files.Count == 1 ? "its file matches its" : $"all {manifest.Files.Count} files match their")} SHA-256, "
                                    + $"and this host's API {Nas.Sandbox.Abstractions.ApiVersion.Current.ToString(2)} is in its range {manifest.Api.ToNormalizedString()}."
                            );
                    }
                    else
                    {
                        var store = PackStore.ForUser();
                        if (Directory.Exists(given) && (PackId.Problem(given) is not null || store.Find(given) is null))
                            throw new PackException(
                                $"PACK {given} is a folder, and no pack of that id is installed: verify takes a .nupkg file or an installed id (nas pack build {given} makes a pack of a source folder)."
                            );
                        RequireId(given);
                        var installed = store.Find(given) ?? throw store.NotInstalled(given);
                        manifest = installed.Manifest;
                        var problems = PackStore.CheckInstalled(installed);
                        if (problems.Count > 0)
                            throw new PackException(
                                $"installed pack {manifest.Display} in {installed.Folder} differs from its manifest:{Environment.NewLine}  "
                                    + string.Join(Environment.NewLine + "  ", problems)
                            );
                        if (!result.GetValue(json))
                            Console.Out.WriteLine(
                                $"ok: installed {manifest.Display}: {(manifest.Files.Count == 1 ? "its file matches its" : $"all {manifest.Files.Count} files match their")} SHA-256 and nothing was added."
                            );
                    }
                    if (result.GetValue(json))
                        Console.Out.WriteLine(Describe(manifest, folder: null).ToString(Formatting.Indented));
                    else
                        PrintContents(manifest, indent: "  ");
                    return Task.FromResult(0);
                }));
        return command;
    }

    /// <summary>
    /// PACK, when it is no file, is a pack id: one that cannot be (<c>a/../b</c>) is refused by the rule pack build and
    /// the manifest follow, rather than looked for on feeds or in the home and reported missing.
    /// </summary>
    private static void RequireId(string given)
    {
        if (given.Length == 0)
            throw new PackException("PACK is empty: give a .nupkg file or a pack id.");
        if (PackId.Problem(given) is { } problem)
            throw new PackException($"PACK {given}: no such file, and {problem}.");
    }

    private static void PrintContents(PackManifest manifest, string indent, string? folder = null)
    {
        foreach (var plugin in manifest.Plugins)
            Console.Out.WriteLine($"{indent}plugin {plugin.Name}: {Or(plugin.Provides.Describe())}");
        foreach (var script in manifest.Scripts)
            Console.Out.WriteLine($"{indent}script {script.Path}: {Or(script.Provides.Describe())}");
        if (manifest.Race is { } race)
            Console.Out.WriteLine(
                $"{indent}race: nas race {string.Join(" ", (folder is null ? race.Arguments : race.ArgumentsFor(folder)).Select(Quote))}"
            );
    }

    /// <summary>
    /// The <c>--plugins</c> and <c>--scripts</c> folders the race in <paramref name="journal"/> was given, each still a
    /// folder: one that is gone is refused, as what it provided could not be packed.
    /// </summary>
    private static (string[] Plugins, string[] Scripts) RecordedFolders(string journal)
    {
        var first = Nas.Sandbox.Core.Journal.RaceRecord.ReadStarted(journal);
        string where = $"{journal}({first.LineNumber})";
        string[] Existing(string option) =>
            [
                .. Nas.Sandbox.Core.Journal.RaceArguments.Folders(
                    first.Event,
                    option,
                    where,
                    "restore it to pack the race."
                ),
            ];
        return (Existing("--plugins"), Existing("--scripts"));
    }

    private static string Files(int count) => count == 1 ? "1 file" : $"{count} files";

    private static string Or(string provides) => provides.Length == 0 ? "(nothing declared)" : provides;

    /// <summary>Shell-quotes all but plain words, so a copied command runs exactly these arguments and nothing else.</summary>
    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "_./:=,+@%-".Contains(c))
            ? argument
            : $"'{argument.Replace("'", "'\\''")}'";

    /// <summary>
    /// What loading everything a race loads (the built-in packs, plugins, installed packs and scripts) says about the new
    /// pack's files, as <c>nas list</c> prints it: a name it shares with a built-in, a plugin, a script or another pack,
    /// and which source keeps it, or a part that does not load. Read from a real load rather than from the manifests, as
    /// the rule differs by kind (a strategy's first source keeps the name; an estimator, operation or space that is
    /// taken refuses the newcomer whole). Scripts are compiled only when the pack ships some (about 2 s cold).
    /// </summary>
    private static string[] LoadWarnings(PackManifest manifest, string folder)
    {
        using var host = SandboxHost.Create(typeof(PackCommand).Assembly, lazyScripts: manifest.Scripts.Count == 0);
        string inPack = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)) + Path.DirectorySeparatorChar;
        return host.Warnings.Where(w => w.Contains(inPack, StringComparison.Ordinal)).Distinct().ToArray();
    }

    private static JObject Describe(PackManifest manifest, string? folder)
    {
        var json = JObject.Parse(PackManifestJson.Write(manifest));
        if (folder is not null)
            json["folder"] = folder;
        if (folder is not null && manifest.Race is { } race)
            json["raceCommand"] = new JArray(race.ArgumentsFor(folder));
        return json;
    }
}
