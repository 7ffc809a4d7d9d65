using System.Reflection;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

/// <summary>
/// The one home folder (<see cref="NasHome"/>) and the move of a user's old layout into it (<see cref="NasHomeMigration"/>),
/// over a fake user profile in a temporary folder: nothing of the user's is ever lost or deleted.
/// </summary>
public sealed class NasHomeTests : IDisposable
{
    private readonly string _profile = Directory.CreateTempSubdirectory("nas-profile-").FullName;

    public void Dispose() => Directory.Delete(_profile, recursive: true);

    private string Legacy => Path.Combine(_profile, ".nas-sandbox");
    private string Home => Path.Combine(_profile, ".nas");

    private NasHome DefaultHome() => NasHome.Resolve(_ => null, _profile);

    private NasHome HomeFromVariable(string folder) =>
        NasHome.Resolve(name => name == NasHome.Variable ? folder : null, _profile);

    private void Write(string relative, string content) => Write(relative, System.Text.Encoding.UTF8.GetBytes(content));

    private void Write(string relative, byte[] content)
    {
        string path = Path.Combine(_profile, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>
    /// The layout before the one home: the league and an installed pack in ~/.nas-sandbox, a plugin and a script in
    /// ~/.nas/plugins and ~/.nas/scripts.
    /// </summary>
    private void OldLayout()
    {
        Write(".nas-sandbox/league.json", """{ "format": 1, "players": [ { "name": "random-search" } ] }""");
        Write(".nas-sandbox/league.json.lock", "");
        Write(".nas-sandbox/packs/my.pack/nas-pack.json", """{ "id": "My.Pack" }""");
        Write(".nas-sandbox/packs/my.pack/scripts/probe.csx", "new Probe()\n");
        Write(".nas-sandbox/packs/my.pack/plugins/Native/Native.dll", [0x4d, 0x5a, 0x90, 0x00, 0xff, 0x00, 0x01]);
        Write(".nas-sandbox/dotnet-templates.stamp", "stamp\n");
        Write(".nas/plugins/HillClimber/HillClimber.dll", [0x4d, 0x5a, 0x00, 0x7f, 0x80]);
        Write(".nas/scripts/my-search.csx", "// my search\nnew MySearch()\n");
    }

    /// <summary>Every file under the profile, by path relative to it, with its bytes (migration lock files aside).</summary>
    private Dictionary<string, byte[]> Files() =>
        Directory
            .EnumerateFiles(_profile, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != NasHomeMigration.LockFile)
            .ToDictionary(
                f => Path.GetRelativePath(_profile, f).Replace(Path.DirectorySeparatorChar, '/'),
                File.ReadAllBytes
            );

    [Fact]
    public void The_home_is_NAS_HOME_when_set_else_nas_in_the_user_profile_and_holds_all_four()
    {
        string chosen = Path.Combine(_profile, "elsewhere");
        var home = HomeFromVariable(chosen);
        home.Folder.Should().Be(chosen);
        home.IsDefault.Should().BeFalse();
        (home.Plugins, home.Scripts, home.Packs, home.League)
            .Should()
            .Be(
                (
                    Path.Combine(chosen, "plugins"),
                    Path.Combine(chosen, "scripts"),
                    Path.Combine(chosen, "packs"),
                    Path.Combine(chosen, "league.json")
                )
            );

        NasHome.Resolve(name => name == NasHome.Variable ? "" : null, _profile).Folder.Should().Be(Home);
        home = DefaultHome();
        home.Folder.Should().Be(Home);
        home.IsDefault.Should().BeTrue();
        (home.Plugins, home.Scripts, home.Packs, home.League)
            .Should()
            .Be(
                (
                    Path.Combine(Home, "plugins"),
                    Path.Combine(Home, "scripts"),
                    Path.Combine(Home, "packs"),
                    Path.Combine(Home, "league.json")
                )
            );
        HomeFromVariable(Home + "/").IsDefault.Should().BeTrue("NAS_HOME naming ~/.nas is the default home");

        Directory.EnumerateFileSystemEntries(_profile).Should().BeEmpty("resolving creates nothing");
        var noProfile = () => NasHome.Resolve(_ => null, "");
        noProfile.Should().Throw<NasException>().WithMessage("*set NAS_HOME*");
    }

    [Fact]
    public void Until_it_moves_the_default_home_reads_the_league_and_packs_from_the_old_home_but_a_chosen_home_never_does()
    {
        OldLayout();
        DefaultHome().League.Should().Be(Path.Combine(Legacy, "league.json"));
        DefaultHome().Packs.Should().Be(Path.Combine(Legacy, "packs"));
        DefaultHome().Plugins.Should().Be(Path.Combine(Home, "plugins"));

        string chosen = Path.Combine(_profile, "elsewhere");
        HomeFromVariable(chosen).League.Should().Be(Path.Combine(chosen, "league.json"));
        HomeFromVariable(chosen).Packs.Should().Be(Path.Combine(chosen, "packs"));
    }

    [Fact]
    public void An_old_layout_moves_into_the_one_home_without_losing_a_byte_and_says_what_moved()
    {
        OldLayout();
        var before = Files();

        var notices = NasHomeMigration.Run(DefaultHome());

        notices
            .Should()
            .Equal(
                $"moved dotnet-templates.stamp, league.json, league.json.lock, packs from {Legacy} to {Home}, the one home folder now; removed the empty {Legacy}"
            );
        var after = Files();
        after.Should().HaveCount(before.Count, "nothing was deleted");
        foreach (var (relative, bytes) in before)
        {
            string now = relative.StartsWith(".nas-sandbox/", StringComparison.Ordinal)
                ? ".nas/" + relative[".nas-sandbox/".Length..]
                : relative;
            after.Should().ContainKey(now);
            after[now].Should().Equal(bytes, $"{relative} is byte-identical at {now}");
        }
        Directory.Exists(Legacy).Should().BeFalse();
        var home = DefaultHome();
        home.League.Should().Be(Path.Combine(Home, "league.json"));
        home.Packs.Should().Be(Path.Combine(Home, "packs"));
        File.Exists(Path.Combine(home.Packs, "my.pack", "nas-pack.json")).Should().BeTrue();
        File.Exists(Path.Combine(home.Plugins, "HillClimber", "HillClimber.dll")).Should().BeTrue();
        File.Exists(Path.Combine(home.Scripts, "my-search.csx")).Should().BeTrue();

        var afterFirst = Files();
        NasHomeMigration.Run(DefaultHome()).Should().BeEmpty("a second run has nothing to move or say");
        Files().Should().BeEquivalentTo(afterFirst);
    }

    [Fact]
    public void A_conflict_keeps_both_files_uses_the_new_one_and_names_both()
    {
        Write(".nas-sandbox/league.json", "old league");
        Write(".nas-sandbox/packs/my.pack/nas-pack.json", "pack");
        Write(".nas/league.json", "new league");

        var notices = NasHomeMigration.Run(DefaultHome());

        string oldLeague = Path.Combine(Legacy, "league.json"),
            newLeague = Path.Combine(Home, "league.json");
        notices
            .Should()
            .Equal(
                $"moved packs from {Legacy} to {Home}, the one home folder now",
                $"{oldLeague} was not moved: {newLeague} exists too and is the one used; compare them and delete the one you do not need"
            );
        File.ReadAllText(oldLeague).Should().Be("old league");
        File.ReadAllText(newLeague).Should().Be("new league");
        File.ReadAllText(Path.Combine(Home, "packs", "my.pack", "nas-pack.json")).Should().Be("pack");
        DefaultHome().League.Should().Be(newLeague);

        // The conflict stands until the user settles it: named again, nothing moved.
        NasHomeMigration.Run(DefaultHome()).Should().Equal(notices[1]);
        File.ReadAllText(oldLeague).Should().Be("old league");
    }

    [Fact]
    public void A_move_that_fails_leaves_the_entry_whole_where_it_was_and_it_is_read_from_there()
    {
        OldLayout();
        var before = Files();
        string oldPacks = Path.Combine(Legacy, "packs"),
            newPacks = Path.Combine(Home, "packs");

        var notices = NasHomeMigration.Run(DefaultHome(), (from, to) =>
        {
            if (from == oldPacks)
                throw new IOException("Invalid cross-device link");
            Directory.Move(from, to);
        });

        notices
            .Should()
            .Equal(
                $"moved dotnet-templates.stamp, league.json, league.json.lock from {Legacy} to {Home}, the one home folder now",
                $"could not move {oldPacks} to {newPacks} (Invalid cross-device link); it stays where it is and is read from there"
            );
        Files()
            .Where(f => f.Key.StartsWith(".nas-sandbox/packs/", StringComparison.Ordinal))
            .Should()
            .BeEquivalentTo(before.Where(f => f.Key.StartsWith(".nas-sandbox/packs/", StringComparison.Ordinal)));
        Directory.Exists(newPacks).Should().BeFalse("never half-moved");
        DefaultHome().Packs.Should().Be(oldPacks);
        DefaultHome().League.Should().Be(Path.Combine(Home, "league.json"));
    }

    [Fact]
    public void With_NAS_HOME_elsewhere_nothing_moves_and_the_unread_folders_are_named()
    {
        OldLayout();
        var before = Files();
        string chosen = Path.Combine(_profile, "elsewhere");

        var notices = NasHomeMigration.Run(HomeFromVariable(chosen));

        notices
            .Should()
            .Equal(
                $"NAS_HOME is {chosen}, so {Path.Combine(Home, "plugins")}, {Path.Combine(Home, "scripts")} and {Legacy} are not read; "
                    + $"move what you need into {chosen} (plugins/, scripts/, packs/, league.json) or unset NAS_HOME to use {Home}"
            );
        Files().Should().BeEquivalentTo(before);
        Directory.Exists(chosen).Should().BeFalse("nothing is created either");
    }

    [Fact]
    public void With_NAS_HOME_elsewhere_empty_old_folders_are_not_worth_a_notice()
    {
        Directory.CreateDirectory(Path.Combine(Home, "plugins"));
        Directory.CreateDirectory(Path.Combine(Home, "scripts"));
        NasHomeMigration.Run(HomeFromVariable(Path.Combine(_profile, "elsewhere"))).Should().BeEmpty();
        NasHomeMigration.Run(DefaultHome()).Should().BeEmpty();
    }

    [Fact]
    public async Task Processes_starting_at_once_move_everything_exactly_once()
    {
        OldLayout();
        var before = Files();
        using var start = new Barrier(4);
        var runs = Enumerable
            .Range(0, 4)
            .Select(_ =>
                Task.Run(() =>
                {
                    start.SignalAndWait();
                    return NasHomeMigration.Run(DefaultHome());
                })
            )
            .ToArray();

        var notices = (await Task.WhenAll(runs)).SelectMany(n => n).ToArray();
        notices
            .Should()
            .ContainSingle()
            .Which.Should()
            .StartWith("moved dotnet-templates.stamp, league.json, league.json.lock, packs from");
        Files()
            .Keys.Should()
            .BeEquivalentTo(
                before.Keys.Select(k =>
                    k.StartsWith(".nas-sandbox/", StringComparison.Ordinal) ? ".nas/" + k[".nas-sandbox/".Length..] : k
                )
            );
    }

    [Fact]
    public void Hosts_in_the_test_process_read_a_temporary_home_never_the_users()
    {
        string user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var home = NasHome.Resolve();
        home.IsDefault.Should().BeFalse();
        home.Folder.Should().StartWith(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar));
        var plugins = PluginLocations.For(Assembly.GetExecutingAssembly()).Select(d => d.Path).ToArray();
        plugins.Should().Contain(home.Plugins).And.NotContain(Path.Combine(user, ".nas", "plugins"));
        var scripts = ScriptLocations.For(Assembly.GetExecutingAssembly());
        scripts.Should().Contain(home.Scripts).And.NotContain(Path.Combine(user, ".nas", "scripts"));
    }
}
