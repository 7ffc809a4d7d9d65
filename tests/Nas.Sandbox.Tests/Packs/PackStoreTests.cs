using Nas.Sandbox.Core.Hosting.Packs;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>Installing, upgrading and removing packs: atomic, and a failure leaves the installed version whole.</summary>
public class PackStoreTests(PackFixture fixture) : IClassFixture<PackFixture>
{
    private static readonly string[] WorkFolders = [".staging", ".trash"];

    private static string[] Leftovers(PackStore store) =>
        WorkFolders
            .Select(f => Path.Combine(store.Root, f))
            .Where(Directory.Exists)
            .SelectMany(f => Directory.GetFileSystemEntries(f))
            .ToArray();

    [Fact]
    public void An_installed_pack_is_listed_with_its_files_in_place()
    {
        var store = new PackStore(fixture.NewHome());
        var result = store.Install(fixture.GoodPack);
        result.AlreadyInstalled.Should().BeFalse();
        result.PreviousVersion.Should().BeNull();
        store.Installed().Should().ContainSingle().Which.Manifest.Id.Should().Be("Pack.Probe");
        File.Exists(Path.Combine(result.Pack.ScriptsFolder, "pack-probe.csx")).Should().BeTrue();
        File.Exists(Path.Combine(result.Pack.ScriptsFolder, "lib", "note.csx")).Should().BeTrue();
        PackStore.CheckInstalled(result.Pack).Should().BeEmpty();
        Leftovers(store).Should().BeEmpty();
    }

    [Fact]
    public void Installing_the_same_version_again_changes_nothing_unless_forced()
    {
        var store = new PackStore(fixture.NewHome());
        store.Install(fixture.GoodPack);
        store.Install(fixture.GoodPack).AlreadyInstalled.Should().BeTrue();
        store.Install(fixture.GoodPack, force: true).AlreadyInstalled.Should().BeFalse();
        store.Installed().Should().ContainSingle();
    }

    [Fact]
    public void A_new_version_replaces_the_installed_one()
    {
        var store = new PackStore(fixture.NewHome());
        store.Install(fixture.GoodPack);
        var result = store.Install(fixture.Build("2.0.0"));
        result.PreviousVersion.Should().Be("1.0.0");
        store.Installed().Should().ContainSingle().Which.Manifest.Version.ToNormalizedString().Should().Be("2.0.0");
        Leftovers(store).Should().BeEmpty();
    }

    [Fact]
    public void A_refused_pack_leaves_the_installed_version_intact()
    {
        var store = new PackStore(fixture.NewHome());
        store.Install(fixture.GoodPack);
        string tampered = fixture.Crafted(a => a["scripts/pack-probe.csx"] = "// tampered"u8.ToArray());
        FluentActions
            .Invoking(() => store.Install(tampered))
            .Should()
            .Throw<PackException>()
            .WithMessage("*does not match its SHA-256*");
        var installed = store.Installed().Should().ContainSingle().Subject;
        installed.Manifest.Version.ToNormalizedString().Should().Be("1.0.0");
        PackStore.CheckInstalled(installed).Should().BeEmpty();
        Leftovers(store).Should().BeEmpty();
    }

    [Fact]
    public void A_failure_while_moving_the_new_version_in_rolls_back_to_the_old_one()
    {
        var store = new PackStore(fixture.NewHome());
        store.Install(fixture.GoodPack);
        string upgrade = fixture.Build("2.0.0");
        store.MoveFolder = (from, to) =>
        {
            if (from.Contains(".staging"))
                throw new IOException("No space left on device");
            Directory.Move(from, to);
        };
        FluentActions
            .Invoking(() => store.Install(upgrade))
            .Should()
            .Throw<PackException>()
            .WithMessage(
                "*Installing Pack.Probe 2.0.0 failed, nothing was changed (Pack.Probe 1.0.0 is still installed)*No space left*"
            );
        var installed = store.Installed().Should().ContainSingle().Subject;
        installed.Manifest.Version.ToNormalizedString().Should().Be("1.0.0");
        PackStore.CheckInstalled(installed).Should().BeEmpty();
        Leftovers(store).Should().BeEmpty();
    }

    [Fact]
    public void A_pack_moved_aside_by_a_killed_install_is_restored_by_the_next_one()
    {
        var store = new PackStore(fixture.NewHome());
        var first = store.Install(fixture.GoodPack).Pack;
        // What a process killed between "move the old version aside" and "move the new one in" leaves behind.
        string aside = Path.Combine(store.Root, ".trash", "pack.probe~install~0123456789abcdef");
        Directory.CreateDirectory(Path.GetDirectoryName(aside)!);
        Directory.Move(first.Folder, aside);
        Directory.CreateDirectory(Path.Combine(store.Root, ".staging", "pack.probe~fedcba9876543210"));
        store.Installed().Should().BeEmpty();

        store.Install(fixture.Build("1.0.0", "Pack.Other"));

        store.Installed().Select(p => p.Manifest.Id).Should().BeEquivalentTo("Pack.Probe", "Pack.Other");
        PackStore.CheckInstalled(store.Find("Pack.Probe")!).Should().BeEmpty();
        Leftovers(store).Should().BeEmpty();
    }

    [Fact]
    public void A_removal_killed_mid_delete_and_a_damaged_old_version_are_never_restored()
    {
        var store = new PackStore(fixture.NewHome());
        var pack = store.Install(fixture.GoodPack).Pack;
        // A removal killed while deleting: the pack was moved aside and partly deleted.
        string removed = Path.Combine(store.Root, ".trash", "pack.probe~remove~0123456789abcdef");
        Directory.CreateDirectory(Path.GetDirectoryName(removed)!);
        Directory.Move(pack.Folder, removed);
        File.Delete(Path.Combine(removed, "scripts", "lib", "note.csx"));
        // An install's leftover that is not whole either.
        string damaged = Path.Combine(store.Root, ".trash", "pack.probe~install~fedcba9876543210");
        CopyFolder(removed, damaged);

        store.Install(fixture.Build("1.0.0", "Pack.Other"));

        store.Installed().Select(p => p.Manifest.Id).Should().Equal("Pack.Other");
        Leftovers(store).Should().BeEmpty();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public void A_pack_whose_manifest_was_damaged_can_be_reinstalled_or_removed()
    {
        var store = new PackStore(fixture.NewHome());
        var pack = store.Install(fixture.GoodPack).Pack;
        File.WriteAllText(Path.Combine(pack.Folder, "nas-pack.json"), "{");
        store.Problems().Should().ContainSingle().Which.Should().Contain("not valid JSON");
        store.Install(fixture.GoodPack).AlreadyInstalled.Should().BeFalse();
        PackStore.CheckInstalled(store.Find("Pack.Probe")!).Should().BeEmpty();

        File.WriteAllText(Path.Combine(pack.Folder, "nas-pack.json"), "{");
        store.Remove("Pack.Probe").Display.Should().Contain("unreadable");
        Directory.Exists(pack.Folder).Should().BeFalse();
    }

    [Fact]
    public void Checking_an_installed_pack_finds_changed_missing_and_added_files()
    {
        var store = new PackStore(fixture.NewHome());
        var pack = store.Install(fixture.GoodPack).Pack;
        File.AppendAllText(Path.Combine(pack.ScriptsFolder, "pack-probe.csx"), "// edited");
        File.Delete(Path.Combine(pack.ScriptsFolder, "lib", "note.csx"));
        File.WriteAllText(Path.Combine(pack.ScriptsFolder, "dropped.csx"), "// added");
        PackStore
            .CheckInstalled(pack)
            .Should()
            .BeEquivalentTo(
                "scripts/pack-probe.csx: changed since install (SHA-256 differs from the manifest)",
                "scripts/lib/note.csx: missing",
                "scripts/dropped.csx: not in the manifest (added since install)"
            );
    }

    [Fact]
    public void Removing_deletes_the_pack_and_an_unknown_id_names_what_is_installed()
    {
        var store = new PackStore(fixture.NewHome());
        var pack = store.Install(fixture.GoodPack).Pack;
        store.Remove("pack.probe").Display.Should().Be("Pack.Probe 1.0.0");
        Directory.Exists(pack.Folder).Should().BeFalse();
        store.Installed().Should().BeEmpty();
        store.Install(fixture.Build("1.0.0", "Pack.Other"));
        FluentActions
            .Invoking(() => store.Remove("Pack.Probe"))
            .Should()
            .Throw<PackException>()
            .WithMessage("Pack 'Pack.Probe' is not installed*Installed: Pack.Other 1.0.0.");
    }

    [Fact]
    public void A_broken_installed_folder_is_reported_not_fatal()
    {
        var store = new PackStore(fixture.NewHome());
        store.Install(fixture.GoodPack);
        Directory.CreateDirectory(Path.Combine(store.Root, "junk"));
        store.Installed().Should().ContainSingle();
        store.Problems().Should().ContainSingle().Which.Should().Contain("junk").And.Contain("not a pack");
    }
}
