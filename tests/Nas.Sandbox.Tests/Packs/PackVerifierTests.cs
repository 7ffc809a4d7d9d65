using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting.Packs;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Packs;

/// <summary>Every refusal of a bad pack, with crafted packs: each names the entry or manifest field at fault.</summary>
public class PackVerifierTests(PackFixture fixture) : IClassFixture<PackFixture>
{
    private const string ScriptEntry = "scripts/pack-probe.csx";

    private static string Refusal(string pack) =>
        FluentActions.Invoking(() => PackVerifier.Verify(pack)).Should().Throw<PackException>().Which.Message;

    [Fact]
    public void A_good_pack_verifies_with_its_manifest_contents_and_hashes()
    {
        var pack = PackVerifier.Verify(fixture.GoodPack);
        pack.Manifest.Id.Should().Be("Pack.Probe");
        pack.Manifest.Version.ToNormalizedString().Should().Be("1.0.0");
        pack.Manifest.License.Should().Be("MIT");
        pack.Manifest.Authors.Should().Equal("tests");
        pack.Manifest.Api.Satisfies(
                new NuGet.Versioning.NuGetVersion(ApiVersion.Current.Major, ApiVersion.Current.Minor, 0)
            )
            .Should()
            .BeTrue();
        pack.Manifest.Scripts.Should()
            .ContainSingle()
            .Which.Should()
            .BeEquivalentTo(new PackScript(ScriptEntry, new PackProvides([PackFixture.StrategyName], [], [], [])));
        // The #load-ed helper travels at the same relative place, so the script still compiles once installed.
        pack.Manifest.Files.Select(f => f.Path).Should().Equal("scripts/lib/note.csx", ScriptEntry);
        pack.Manifest.Files.Should().OnlyContain(f => f.Sha256.Length == 64);
    }

    [Fact]
    public void Building_twice_gives_the_same_bytes()
    {
        string first = fixture.Build("3.0.0", "Pack.Twice");
        byte[] bytes = File.ReadAllBytes(first);
        string second = fixture.Build("3.0.0", "Pack.Twice");
        File.ReadAllBytes(second).Should().Equal(bytes);
    }

    [Theory]
    [InlineData("../evil.csx", "escapes the pack folder")]
    [InlineData("scripts/../../evil.csx", "escapes the pack folder")]
    [InlineData("/etc/evil.csx", "absolute path")]
    [InlineData("C:/evil.csx", "absolute path")]
    [InlineData("scripts\\evil.csx", "backslash")]
    [InlineData("%2e%2e/evil.csx", "escapes the pack folder")]
    public void An_entry_that_escapes_the_pack_folder_is_refused_by_name(string entry, string problem)
    {
        string pack = fixture.Crafted(a => a.AddListed(entry, "// evil"u8.ToArray()));
        Refusal(pack).Should().Contain($"entry '{entry}'").And.Contain(problem);
    }

    [Fact]
    public void A_symbolic_link_entry_is_refused_by_name()
    {
        string pack = fixture.Crafted(a => a.MakeSymbolicLink(ScriptEntry, "/etc/passwd"));
        Refusal(pack).Should().Contain($"entry '{ScriptEntry}' is a symbolic link");
    }

    [Fact]
    public void A_file_whose_bytes_do_not_match_its_hash_is_refused_naming_the_entry_and_both_hashes()
    {
        string pack = fixture.Crafted(a => a[ScriptEntry] = "new PackProbe() // tampered"u8.ToArray());
        string expected = PackVerifier
            .Verify(fixture.GoodPack)
            .Manifest.Files.Single(f => f.Path == ScriptEntry)
            .Sha256;
        Refusal(pack).Should().Contain($"entry '{ScriptEntry}' does not match its SHA-256").And.Contain(expected);
    }

    [Fact]
    public void A_file_the_manifest_does_not_list_is_refused()
    {
        string pack = fixture.Crafted(a => a["scripts/extra.csx"] = "// smuggled"u8.ToArray());
        Refusal(pack).Should().Contain("entry 'scripts/extra.csx' is not listed");
    }

    [Fact]
    public void A_listed_file_missing_from_the_archive_is_refused_naming_the_field()
    {
        string pack = fixture.Crafted(a => a.Remove("scripts/lib/note.csx"));
        Refusal(pack).Should().Contain("field 'files[0].path'").And.Contain("scripts/lib/note.csx");
    }

    [Fact]
    public void A_pack_without_a_manifest_is_refused()
    {
        string pack = fixture.Crafted(a => a.Remove(PackFormat.ManifestFile));
        Refusal(pack).Should().Contain($"the manifest {PackFormat.ManifestFile} is missing");
    }

    [Fact]
    public void A_manifest_that_is_not_json_is_refused_with_its_line()
    {
        string pack = fixture.Crafted(a =>
            a[PackFormat.ManifestFile] = "{\n  \"schema\": 1,\n  \"id\": \n}"u8.ToArray()
        );
        Refusal(pack).Should().Contain($"{PackFormat.ManifestFile} is not valid JSON (line 4");
    }

    [Theory]
    [InlineData("license", null, "field 'license'", "is missing")]
    [InlineData("version", "\"1.0\"", "field 'version'", "not a semantic version")]
    [InlineData("version", "1", "field 'version'", "is not a string")]
    [InlineData("id", "\"../evil\"", "field 'id'", "not a valid package id")]
    [InlineData("api", "\"not-a-range\"", "field 'api'", "not a version range")]
    [InlineData("authors", "[]", "field 'authors'", "is empty")]
    [InlineData("schema", "2", "field 'schema'", "schema 1")]
    [InlineData("colour", "\"blue\"", "field 'colour'", "is not a manifest field")]
    public void An_invalid_manifest_field_is_refused_by_name(string field, string? json, string named, string problem)
    {
        // json is the field's new value as JSON text, or null to remove the field.
        string pack = fixture.Crafted(a =>
            a.EditManifest(m =>
            {
                if (json is null)
                    m.Remove(field);
                else
                    m[field] = JToken.Parse(json);
            })
        );
        Refusal(pack).Should().Contain(named).And.Contain(problem);
    }

    [Theory]
    [InlineData("files[1]", "size", "12", "field 'files[1].size'", "is not a field of files[1]; known: path, sha256")]
    [InlineData(
        "contents",
        "tools",
        "[]",
        "field 'contents.tools'",
        "is not a field of contents; known: plugins, scripts"
    )]
    [InlineData(
        "contents.scripts[0]",
        "strategy",
        "[]",
        "field 'contents.scripts[0].strategy'",
        "known: path, strategies"
    )]
    [InlineData(
        null,
        "race",
        "{\"arguments\": [\"--heats\", \"2\"], \"jurnal\": \"race/r.jsonl\"}",
        "field 'race.jurnal'",
        "known: arguments, journal"
    )]
    [InlineData(
        null,
        "race",
        "{\"arguments\": [\"--heats\", \"2\"], \"journal\": 5}",
        "field 'race.journal'",
        "is not a string"
    )]
    public void A_misspelled_or_mistyped_field_inside_the_manifest_is_refused_by_name(
        string? owner,
        string field,
        string json,
        string named,
        string problem
    )
    {
        // A typo anywhere would otherwise drop what the author wrote without a word.
        string pack = fixture.Crafted(a =>
            a.EditManifest(m => ((JObject)(owner is null ? m : m.SelectToken(owner)!))[field] = JToken.Parse(json))
        );
        Refusal(pack).Should().Contain(named).And.Contain(problem);
    }

    [Fact]
    public void A_bad_hash_in_the_manifest_is_refused_naming_the_field()
    {
        string pack = fixture.Crafted(a => a.EditManifest(m => m["files"]![1]!["sha256"] = "abc"));
        Refusal(pack).Should().Contain("field 'files[1].sha256'").And.Contain("not a SHA-256");
    }

    [Fact]
    public void A_manifest_that_disagrees_with_the_nuspec_is_refused()
    {
        string pack = fixture.Crafted(a => a.EditManifest(m => m["version"] = "9.9.9"));
        Refusal(pack).Should().Contain("field 'version' is 9.9.9 but the .nuspec says 1.0.0");
    }

    [Fact]
    public void A_pack_that_needs_another_api_version_is_refused_naming_both()
    {
        string pack = fixture.Crafted(a => a.EditManifest(m => m["api"] = "[3.0, 4.0)"));
        Refusal(pack)
            .Should()
            .Contain("field 'api'")
            .And.Contain("[3.0.0, 4.0.0)")
            .And.Contain($"this host provides API {ApiVersion.Current.Major}.{ApiVersion.Current.Minor}");
    }

    [Fact]
    public void A_plugin_compiled_against_another_api_is_refused_naming_its_entry()
    {
        byte[] plugin = FakePlugin.Compile("Evil.Search", apiVersion: new Version(3, 0, 0, 0));
        string pack = fixture.Crafted(a =>
        {
            a.AddListed("plugins/Evil.Search/Evil.Search.dll", plugin);
            a.EditManifest(m =>
                ((JArray)m["contents"]!["plugins"]!).Add(
                    new JObject
                    {
                        ["name"] = "Evil.Search",
                        ["strategies"] = new JArray(),
                        ["estimators"] = new JArray(),
                        ["operations"] = new JArray(),
                    }
                )
            );
        });
        Refusal(pack).Should().Contain("entry 'plugins/Evil.Search/Evil.Search.dll'").And.Contain("API 3.0");
    }

    [Fact]
    public void A_plugin_named_in_the_contents_but_absent_is_refused_naming_the_field()
    {
        string pack = fixture.Crafted(a =>
            a.EditManifest(m =>
                ((JArray)m["contents"]!["plugins"]!).Add(
                    new JObject
                    {
                        ["name"] = "Ghost",
                        ["strategies"] = new JArray(),
                        ["estimators"] = new JArray(),
                        ["operations"] = new JArray(),
                    }
                )
            )
        );
        Refusal(pack).Should().Contain("field 'contents.plugins[0]'").And.Contain("plugins/Ghost/Ghost.dll");
    }

    [Fact]
    public void A_nuget_package_of_another_type_is_refused_as_not_a_pack()
    {
        string pack = fixture.Crafted(a =>
        {
            string nuspec = a.Entries.Single(e => e.Name.EndsWith(".nuspec", StringComparison.Ordinal)).Name;
            a[nuspec] = System.Text.Encoding.UTF8.GetBytes(
                System.Text.Encoding.UTF8.GetString(a[nuspec]).Replace(PackFormat.PackageType, "Dependency")
            );
        });
        Refusal(pack).Should().Contain("package type Dependency").And.Contain("not a Nas.Sandbox pack");
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused()
    {
        string path = Path.Combine(fixture.Folder, "not-a-zip.nupkg");
        File.WriteAllText(path, "hello");
        Refusal(path).Should().Contain("not-a-zip.nupkg").And.Contain("not a zip archive");
    }

    [Fact]
    public void A_script_or_plugin_the_contents_do_not_declare_is_refused_since_it_would_run()
    {
        string script = fixture.Crafted(a => a.AddListed("scripts/sneaky.csx", "new Sneaky()"u8.ToArray()));
        Refusal(script).Should().Contain("entry 'scripts/sneaky.csx' is a script that").And.Contain("does not declare");
        string plugin = fixture.Crafted(a =>
            a.AddListed("plugins/Hidden/Hidden.dll", FakePlugin.Compile("Hidden", new Version(1, 1, 0, 0)))
        );
        Refusal(plugin)
            .Should()
            .Contain("entry 'plugins/Hidden/Hidden.dll' is in plugin folder 'Hidden'")
            .And.Contain("does not declare");
    }

    [Fact]
    public void A_file_where_another_entry_needs_a_folder_is_refused_naming_both()
    {
        string pack = fixture.Crafted(a =>
        {
            a.AddListed("scripts/lib", "x"u8.ToArray());
            a.AddListed("scripts/lib/other.csx", "// x"u8.ToArray());
        });
        Refusal(pack).Should().Contain("entry 'scripts/lib' is a file, but entry 'scripts/lib/");
    }

    [Fact]
    public void Manifest_text_with_control_characters_is_refused_since_terminals_would_obey_them()
    {
        string pack = fixture.Crafted(a =>
            a.EditManifest(m => m["description"] = "nice pack\u001b[1A\u001b[2Kok: looks fine")
        );
        Refusal(pack).Should().Contain("field 'description'").And.Contain("control character");
    }

    [Theory]
    [InlineData("--journal", "/home/you/.bashrc", "race.arguments[2]", "not one of the options")]
    [InlineData("--plugins", "/tmp/evil", "race.arguments[2]", "not one of the options")]
    [InlineData("--table", "/etc/passwd", "race.arguments[3]", "must travel in the pack")]
    public void A_shared_race_may_only_record_options_that_define_a_race(
        string option,
        string value,
        string field,
        string problem
    )
    {
        string pack = fixture.Crafted(a =>
            a.EditManifest(m =>
                m["race"] = new JObject
                {
                    ["arguments"] = new JArray("--strategy", PackFixture.StrategyName, option, value),
                    ["journal"] = null,
                }
            )
        );
        Refusal(pack).Should().Contain($"field '{field}'").And.Contain(problem);
    }
}
