using NuGet.Versioning;

namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// A pack's manifest (<c>nas-pack.json</c>): who made it, what it needs, what it provides, and a SHA-256 of every
/// payload file. <see cref="PackManifestJson"/> reads and writes it; <see cref="PackVerifier"/> checks it against the
/// archive. The NuGet .nuspec carries the same id, version, description, authors and license for feeds to show; the
/// manifest is the one the host trusts, and the two must agree.
/// </summary>
public sealed record PackManifest
{
    public required string Id { get; init; }
    public required SemanticVersion Version { get; init; }

    /// <summary>The Nas.Sandbox API versions the pack works with, e.g. <c>[1.1, 2.0)</c>.</summary>
    public required VersionRange Api { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<string> Authors { get; init; }

    /// <summary>An SPDX license expression, e.g. <c>MIT</c>.</summary>
    public required string License { get; init; }
    public IReadOnlyList<PackPlugin> Plugins { get; init; } = [];
    public IReadOnlyList<PackScript> Scripts { get; init; } = [];

    /// <summary>Set when the pack shares a race: how to run it again.</summary>
    public PackRace? Race { get; init; }
    public required IReadOnlyList<PackFile> Files { get; init; }

    /// <summary>E.g. <c>My.Search 1.2.0</c>.</summary>
    public string Display => $"{Id} {Version}";

    public IEnumerable<string> Strategies =>
        Plugins.SelectMany(p => p.Provides.Strategies).Concat(Scripts.SelectMany(s => s.Provides.Strategies));
    public IEnumerable<string> Estimators =>
        Plugins.SelectMany(p => p.Provides.Estimators).Concat(Scripts.SelectMany(s => s.Provides.Estimators));
    public IEnumerable<string> Operations =>
        Plugins.SelectMany(p => p.Provides.Operations).Concat(Scripts.SelectMany(s => s.Provides.Operations));
    public IEnumerable<string> Spaces =>
        Plugins.SelectMany(p => p.Provides.Spaces).Concat(Scripts.SelectMany(s => s.Provides.Spaces));
}

/// <summary>
/// What a plugin or script says it provides, by name. Declared by the author's build, not proven by verify. Search
/// spaces came later (manifest field <c>spaces</c>, optional: absent in packs built before, and written only when
/// there are any, so a pack without spaces reads the same to older hosts).
/// </summary>
public sealed record PackProvides(
    IReadOnlyList<string> Strategies,
    IReadOnlyList<string> Estimators,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> Spaces
)
{
    public static readonly PackProvides Nothing = new([], [], [], []);

    /// <summary>E.g. <c>strategy greedy-local-search, operation nor_dil_conv_3x3</c>.</summary>
    public string Describe() =>
        string.Join(
            ", ",
            Strategies
                .Select(s => $"strategy {s}")
                .Concat(Estimators.Select(e => $"estimator {e}"))
                .Concat(Operations.Select(o => $"operation {o}"))
                .Concat(Spaces.Select(s => $"space {s}"))
        );
}

/// <summary>A plugin in the pack: folder <c>plugins/Name/</c> with <c>Name.dll</c>.</summary>
public sealed record PackPlugin(string Name, PackProvides Provides)
{
    public string AssemblyPath => PackFormat.PluginAssemblyPath(Name);
}

/// <summary>A script in the pack, e.g. <c>scripts/edge-bandit.csx</c>.</summary>
public sealed record PackScript(string Path, PackProvides Provides);

/// <summary>A payload file and its SHA-256 (lower-case hex).</summary>
public sealed record PackFile(string Path, string Sha256);

/// <summary>
/// A shared race: the <c>nas race</c> arguments that run it again once the pack is installed, and the journal of the
/// original run (a payload path) to compare with. An argument may contain <see cref="PackFolderToken"/>, which stands
/// for the folder the pack is installed in (a table the race looked up travels in the pack).
/// </summary>
public sealed record PackRace(IReadOnlyList<string> Arguments, string? Journal)
{
    public const string PackFolderToken = "{pack}";

    public IReadOnlyList<string> ArgumentsFor(string installedFolder) =>
        Arguments.Select(a => a.Replace(PackFolderToken, installedFolder, StringComparison.Ordinal)).ToArray();
}
