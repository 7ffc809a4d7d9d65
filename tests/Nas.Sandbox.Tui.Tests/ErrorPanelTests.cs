using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>A broken save of a racing script shows its compile errors with file(line,col); fixing it clears them.</summary>
public sealed class ErrorPanelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nas-tui-scripts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Good = """
        public sealed class Sampler : IStrategy
        {
            public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);
            public void Tell(Trial trial) { }
        }
        """;

    [Fact]
    public void A_broken_script_shows_its_diagnostics_and_the_panel_empties_when_it_compiles_again()
    {
        string path = Path.Combine(_folder, "sampler.csx");
        File.WriteAllText(path, Good);
        using var scripts = new ScriptCatalog(
            new ScriptCompiler(cacheFolder: null),
            new StrategyCatalog(),
            new OperationRegistry()
        );
        scripts.Load(path).Should().BeTrue();
        var story = new RaceStory("alpha").Trial("alpha", 0.5);
        scripts.Recompiled += story.Tracker.ScriptRecompiled;
        using var screen = new ScreenHarness(new RecordingCommands(), 100, 30);

        File.WriteAllText(path, "// broken\nvar x = 1\n" + Good);
        scripts.Recompile(path);
        screen.Render(story.Snapshot());
        var text = screen.Text();
        text.Should().Contain("Build errors");
        text.Should().Contain("sampler.csx: the old version keeps racing");
        text.Should().Contain("sampler.csx(2,10): error CS1002: ; expected");
        text.Should().Contain("✗ script sampler.csx has 1 error(s)");

        File.WriteAllText(path, Good);
        scripts.Recompile(path);
        screen.Render(story.Snapshot());
        text = screen.Text();
        text.Should().NotContain("Build errors").And.NotContain("error CS1002");
        text.Should().Contain("script sampler.csx recompiled");
    }
}
