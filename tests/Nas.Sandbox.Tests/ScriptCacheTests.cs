using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Compiled scripts kept on disk (<see cref="ScriptCache"/>): a script met again loads without the compiler and behaves
/// as the one just compiled; any change to the script or to a file it loads, and any damage to an entry, compiles afresh;
/// failures are never kept.
/// </summary>
public sealed class ScriptCacheTests : IDisposable
{
    private readonly ScriptFolder _folder = new();
    private readonly Nb201Space _space = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("nas-script-cache-").FullName;

    public void Dispose()
    {
        _folder.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    /// <summary>A new compiler each time, as a new process would have: only the folder is shared.</summary>
    private ScriptCompilationResult Compile(string path) => new ScriptCompiler(_cache).Compile(path);

    private string[] Entries() => Directory.Exists(_cache) ? Directory.GetFiles(_cache, "*.json") : [];

    /// <summary>A strategy whose first ask comes from a helper file, so the helper's text decides what it asks.</summary>
    private string WriteStrategyWithHelper(string helperBody)
    {
        _folder.Write("lib/pick.csx", $"static int PickIndex(int count) => {helperBody};\n");
        return _folder.Write(
            "helped.csx",
            """
            #load "lib/pick.csx"
            public sealed class Helped : IStrategy
            {
                public Architecture Ask(SearchContext context) =>
                    context.Space.Neighbours(context.Space.Sample(new Random(0)))[PickIndex(3)];
                public void Tell(Trial trial) { }
            }
            """
        );
    }

    private Architecture FirstAsk(CompiledScript script) =>
        Create(script.Strategies.Should().ContainSingle().Subject).Ask(Context(seed: 1));

    private static IStrategy Create(IStrategyFactory factory) =>
        factory.Create(KnobValues.Create(factory.Name, factory.Knobs));

    private SearchContext Context(int seed) => StrategyTestKit.Context(_space, askIndex: 0, new Random(seed));

    [Fact]
    public void A_script_met_again_loads_from_the_cache_and_asks_what_the_compiled_one_asks()
    {
        string path = ScriptTestKit.Example("greedy-local-search.csx");
        using var compiled = Compile(path).Script!;
        var entries = Entries();
        entries.Should().ContainSingle("one entry per script that compiled");
        var cached = Compile(path);
        using var script = cached.Script!;

        cached.Success.Should().BeTrue(string.Join("\n", cached.Diagnostics));
        script.FromCache.Should().BeTrue();
        compiled.FromCache.Should().BeFalse();
        script.Version.Should().Be(compiled.Version);
        script.SourceFiles.Should().Equal(compiled.SourceFiles);
        script.Strategies.Select(s => s.Name).Should().Equal(compiled.Strategies.Select(s => s.Name));
        script
            .Strategies[0]
            .Knobs.Select(k => (k.Name, k.DefaultValue))
            .Should()
            .Equal(compiled.Strategies[0].Knobs.Select(k => (k.Name, k.DefaultValue)));

        var fresh = Create(compiled.Strategies[0]);
        var again = Create(script.Strategies[0]);
        var freshRandom = new Random(7);
        var againRandom = new Random(7);
        for (int i = 0; i < 5; i++)
        {
            var asked = fresh.Ask(StrategyTestKit.Context(_space, i, freshRandom));
            again.Ask(StrategyTestKit.Context(_space, i, againRandom)).Should().Be(asked, "ask {0}", i);
            var trial = StrategyTestKit.Ok(i, asked, 0.5 + 0.01 * i);
            fresh.Tell(trial);
            again.Tell(trial);
        }
    }

    [Fact]
    public void Editing_a_loaded_file_compiles_afresh_and_the_edit_takes_effect()
    {
        string path = WriteStrategyWithHelper("0");
        Architecture first;
        using (var script = Compile(path).Script!)
            first = FirstAsk(script);
        using (var script = Compile(path).Script!)
        {
            script.FromCache.Should().BeTrue();
            FirstAsk(script).Should().Be(first);
        }

        WriteStrategyWithHelper("2");
        var edited = Compile(path);
        using var editedScript = edited.Script!;
        editedScript.FromCache.Should().BeFalse("the helper it loads changed");
        var edit = FirstAsk(editedScript);
        edit.Should().NotBe(first);
        Entries().Should().ContainSingle("the script's entry was replaced by the build with the edited helper");
        using var again = Compile(path).Script!;
        again.FromCache.Should().BeTrue();
        FirstAsk(again).Should().Be(edit);
    }

    [Fact]
    public void Editing_the_script_compiles_afresh()
    {
        string path = WriteStrategyWithHelper("1");
        using (var script = Compile(path).Script!)
            script.FromCache.Should().BeFalse();
        File.AppendAllText(path, "\n// a comment changes the bytes\n");
        using var edited = Compile(path).Script!;
        edited.FromCache.Should().BeFalse();
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("assembly altered")]
    [InlineData("entry point renamed, hash recomputed")]
    public void A_damaged_entry_is_compiled_afresh_and_replaced(string damage)
    {
        string path = WriteStrategyWithHelper("1");
        Architecture first;
        using (var script = Compile(path).Script!)
            first = FirstAsk(script);
        string entry = Entries().Should().ContainSingle().Subject;
        string text = File.ReadAllText(entry);
        File.WriteAllText(
            entry,
            damage switch
            {
                "truncated" => text[..(text.Length / 2)],
                "garbage" => "not json at all",
                "assembly altered" => Edit(text, e => Flip(e, "assembly"), rehash: false),
                _ => Edit(text, e => e["entryType"] = "NoSuchType", rehash: true),
            }
        );

        var result = Compile(path);
        using (var script = result.Script!)
        {
            result.Diagnostics.Should().BeEmpty();
            script.FromCache.Should().BeFalse();
            FirstAsk(script).Should().Be(first);
        }
        using (var script = Compile(path).Script!)
            script.FromCache.Should().BeTrue("the damaged entry was replaced");
    }

    /// <summary>An entry (its hash line, then its JSON) with the JSON edited; its hash line kept or made to match.</summary>
    private static string Edit(string entryText, Action<Newtonsoft.Json.Linq.JObject> edit, bool rehash)
    {
        int newline = entryText.IndexOf('\n', StringComparison.Ordinal);
        var entry = Newtonsoft.Json.Linq.JObject.Parse(entryText[(newline + 1)..]);
        edit(entry);
        string json = entry.ToString(Newtonsoft.Json.Formatting.None);
        return (rehash ? ScriptCache.TextSha256(json) : entryText[..newline]) + "\n" + json;
    }

    private static void Flip(Newtonsoft.Json.Linq.JObject entry, string field)
    {
        byte[] bytes = Convert.FromBase64String((string)entry[field]!);
        bytes[^1] ^= 0xFF;
        entry[field] = Convert.ToBase64String(bytes);
    }

    [Fact]
    public void Warnings_hidden_classes_and_a_throw_while_loading_are_the_same_from_the_cache()
    {
        string trigger = Path.Combine(_folder.Path, "throw-now");
        string path = _folder.Write(
            "mixed.csx",
            $$"""
            public sealed class Shown : IStrategy
            {
                public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);
                public void Tell(Trial trial) { }
            }
            class Hidden : IStrategy
            {
                public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);
                public void Tell(Trial trial) { }
            }
            #warning remember to tune this
            if (System.IO.File.Exists(@"{{trigger}}"))
                throw new InvalidOperationException("told to throw");
            """
        );
        var compiled = Compile(path);
        compiled.Script!.Dispose();
        var cached = Compile(path);
        using (var script = cached.Script!)
        {
            script.FromCache.Should().BeTrue();
            cached.Diagnostics.Should().Equal(compiled.Diagnostics);
            cached.Diagnostics.Should().ContainSingle(d => d.Code == "CS1030" && d.Line == 11);
            script
                .Strategies.Select(s => s.Name)
                .Should()
                .Equal(["mixed"], "only the class declared public is published");
        }

        File.WriteAllText(trigger, "");
        var thrown = Compile(path);
        thrown.Success.Should().BeFalse();
        var error = thrown.Diagnostics.Should().ContainSingle(d => d.IsError).Subject;
        (error.Code, error.File, error.Line).Should().Be((ScriptDiagnosticCodes.EvaluationThrew, path, 13));
        error.Message.Should().Contain("told to throw");
    }

    [Fact]
    public void A_script_with_an_error_is_never_kept()
    {
        string path = _folder.Write("broken.csx", "var x = 1\n");
        Compile(path).Success.Should().BeFalse();
        Compile(path).Success.Should().BeFalse();
        Entries().Should().BeEmpty();

        string throwing = _folder.Write("throws.csx", "throw new InvalidOperationException(\"no\");\n");
        Compile(throwing).Success.Should().BeFalse();
        Entries().Should().BeEmpty();
    }

    [Fact]
    public void The_cache_is_NAS_SCRIPT_CACHE_else_the_homes_and_off_turns_it_off()
    {
        var home = new NasHome(Path.Combine(_cache, "home"));
        ScriptCache.Resolve(null, () => home)!.Folder.Should().Be(Path.Combine(home.Folder, "cache", "scripts"));
        ScriptCache.Resolve("", () => home)!.Folder.Should().Be(home.ScriptCache);
        ScriptCache.Resolve(_cache, () => home)!.Folder.Should().Be(_cache);
        ScriptCache.Resolve("off", () => home).Should().BeNull();
        ScriptCache.Resolve("OFF", () => home).Should().BeNull();
        ScriptCache.Resolve(null, () => null).Should().BeNull("no home, no cache");
    }

    [Fact]
    public void A_cache_folder_that_cannot_be_written_leaves_scripts_compiling()
    {
        string blocked = Path.Combine(_cache, "a-file-not-a-folder");
        File.WriteAllText(blocked, "");
        string path = WriteStrategyWithHelper("1");
        var compiler = new ScriptCompiler(blocked);
        using (var script = compiler.Compile(path).Script!)
            script.FromCache.Should().BeFalse();
        using var again = compiler.Compile(path).Script!;
        again.FromCache.Should().BeFalse();
        FirstAsk(again).Should().NotBeNull();
    }

    [Fact]
    public void Nas_keeps_compiled_scripts_in_its_home_and_answers_the_same_from_them()
    {
        string home = Path.Combine(_cache, "home");
        var environment = new Dictionary<string, string?>
        {
            [NasHome.Variable] = home,
            [ScriptCache.Variable] = null, // the user's default: the home's cache
        };
        string script = ScriptTestKit.Example("crossover-evolution.csx");
        var first = NasProcess.Run(environment, "script", "check", script);
        first.Exit.Should().Be(0, first.Err);
        Directory.GetFiles(new NasHome(home).ScriptCache, "*.json").Should().ContainSingle();

        var second = NasProcess.Run(environment, "script", "check", script);
        second.Should().Be(first);
    }
}
