using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>What a pack being assembled takes once, and what it refuses to mix.</summary>
public sealed class PackStagingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-staging-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A copy of the built-in Classic pack's plugin folder under <c>_folder/NAME/</c>.</summary>
    private string CopyOfClassic(string name)
    {
        string builtIn = Path.Combine(
            PluginLocations.For(typeof(PackStagingTests).Assembly)[0].Path,
            "Nas.Sandbox.Strategies.Classic"
        );
        string copy = Path.Combine(_folder, name, "Nas.Sandbox.Strategies.Classic");
        foreach (string file in Directory.EnumerateFiles(builtIn, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(builtIn, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    /// <remarks>
    /// A race whose contestants came from two plugin folders holding different builds of one plugin name packed the
    /// first and dropped the second without a word: the pack then raced other code than the race did.
    /// </remarks>
    [Fact]
    public void Two_different_plugins_of_one_name_are_refused_and_the_same_one_twice_is_packed_once()
    {
        string first = CopyOfClassic("a");
        string same = CopyOfClassic("b");
        string changed = CopyOfClassic("c");
        File.WriteAllText(Path.Combine(changed, "notes.txt"), "a file the first build does not have");
        using var staging = new PackStaging();

        staging.AddPlugin(first);
        staging.AddPlugin(first);
        staging.AddPlugin(same);
        var mix = () => staging.AddPlugin(changed);

        staging.Plugins.Should().ContainSingle().Which.Name.Should().Be("Nas.Sandbox.Strategies.Classic");
        mix.Should()
            .Throw<PackException>()
            .WithMessage(
                $"Two different plugins are named Nas.Sandbox.Strategies.Classic ({first} and {changed}); a pack's plugins need distinct names."
            );
        File.Exists(Path.Combine(staging.Root, "plugins", "Nas.Sandbox.Strategies.Classic", "notes.txt"))
            .Should()
            .BeFalse("nothing of the refused plugin is packed");
    }
}
