using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>
/// A good pack, built once per test class from a small real script (a random-search strategy named
/// <c>pack-probe</c>), in a temporary folder that also serves as a feed and as homes for installs.
/// </summary>
public sealed class PackFixture : IDisposable
{
    public const string StrategyName = "pack-probe";

    public const string Script = """
        // A strategy for pack tests: uniform random sampling, ranked by nothing.
        public sealed class PackProbe : IStrategy
        {
            public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);
            public void Tell(Trial trial) { }
        }
        new PackProbe()
        """;

    public PackFixture()
    {
        Folder = Directory.CreateTempSubdirectory("nas-pack-tests-").FullName;
        GoodPack = Build("1.0.0");
    }

    public string Folder { get; }
    public string GoodPack { get; }

    /// <summary>Builds the probe pack at <paramref name="version"/> into <c>Folder/feed</c>.</summary>
    public string Build(string version, string id = "Pack.Probe")
    {
        string source = Path.Combine(Folder, "src-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(source, "lib"));
        File.WriteAllText(Path.Combine(source, $"{StrategyName}.csx"), $"#load \"lib/note.csx\"\n{Script}\n");
        File.WriteAllText(Path.Combine(source, "lib", "note.csx"), "// helpers a script #loads travel with it\n");
        using var staging = new PackStaging();
        var metadata = FolderPackSource.Stage(source, staging);
        return PackWriter
            .Write(
                staging,
                new PackMetadata
                {
                    Id = id,
                    Version = version,
                    License = "MIT",
                    Authors = ["tests"],
                }.Or(metadata),
                Path.Combine(Folder, "feed")
            )
            .Path;
    }

    /// <summary>A fresh, empty home folder.</summary>
    public string NewHome() =>
        Directory.CreateDirectory(Path.Combine(Folder, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    /// <summary>A copy of the good pack changed by <paramref name="craft"/>, saved under a new name.</summary>
    public string Crafted(Action<PackArchive> craft)
    {
        var archive = PackArchive.Load(GoodPack);
        craft(archive);
        return archive.Save(Path.Combine(Folder, $"crafted-{Guid.NewGuid():N}.nupkg"));
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
