using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>
/// A plugin built against an older minor version of the contracts keeps loading and racing: API 1.2 added
/// <see cref="IPathEncoding"/>, and a pack compiled against 1.1 must not notice.
/// </summary>
public sealed class ApiCompatibilityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nas-api-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private static IEnumerable<MetadataReference> Platform() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => Path.GetFileNameWithoutExtension(p) != "Nas.Sandbox.Abstractions")
        .Select(p => MetadataReference.CreateFromFile(p));

    private static byte[] Emit(CSharpCompilation compilation)
    {
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        result.Success.Should().BeTrue(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }

    /// <summary>The files API 1.2 added (it also added an overload to ITrainingKit, which a 1.1 plugin cannot have called).</summary>
    private static readonly string[] AddedIn12 = ["IPathEncoding.cs", "StableHash.cs", "Gaussian.cs"];

    /// <summary>The contracts as API 1.1 shipped them: today's sources without what 1.2 added, at assembly version 1.1.0.0.</summary>
    private static byte[] Contracts11()
    {
        string folder = Path.Combine(ScriptTestKit.RepoRoot, "src", "Nas.Sandbox.Abstractions");
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var sources = Directory.GetFiles(folder, "*.cs")
            .Where(f => !AddedIn12.Contains(Path.GetFileName(f)))
            .Select(File.ReadAllText)
            .Append("[assembly: System.Reflection.AssemblyVersion(\"1.1.0.0\")]")
            .Append("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;")
            .Select(text => CSharpSyntaxTree.ParseText(text, options));
        return Emit(CSharpCompilation.Create("Nas.Sandbox.Abstractions", sources, Platform(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)));
    }

    private const string PluginSource = """
        using System.Collections.Generic;
        using Nas.Sandbox.Abstractions;
        public sealed class OldFactory : IStrategyFactory
        {
            public string Name => "built-against-1-1";
            public string Description => "compiled against API 1.1";
            public IReadOnlyList<Knob> Knobs { get; } = new[] { new Knob("step", "1", "edges changed") };
            public IStrategy Create(KnobValues knobs) => new Old(knobs.GetInt("step"));
        }
        public sealed class Old : IStrategy
        {
            private readonly int _step;
            public Old(int step) { _step = step; }
            public Architecture Ask(SearchContext c) => c.Space.Mutate(c.Space.Sample(c.Random), c.Random);
            public void Tell(Trial t) { }
        }
        """;

    [Fact]
    public void A_plugin_compiled_against_api_1_1_loads_and_asks_on_this_host()
    {
        ApiVersion.Current.Should().Be(new Version(1, 2));
        var contracts = MetadataReference.CreateFromImage(Contracts11());
        byte[] plugin = Emit(CSharpCompilation.Create("OldPack", [CSharpSyntaxTree.ParseText(PluginSource, new CSharpParseOptions(LanguageVersion.Latest))], Platform().Append(contracts),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));
        string folder = Path.Combine(_root, "OldPack");
        Directory.CreateDirectory(folder);
        string dll = Path.Combine(folder, "OldPack.dll");
        File.WriteAllBytes(dll, plugin);
        PluginApiCheck.ReferencedApiVersion(dll).Should().Be(new Version(1, 1, 0, 0));

        var strategies = new StrategyCatalog();
        using var plugins = PluginCatalog.Load([new PluginDirectory(_root, StrategySource.PluginFolder)], strategies, TimeSpan.FromMilliseconds(50));
        plugins.Errors.Should().BeEmpty();
        var factory = strategies.Get("built-against-1-1").Factory;
        var strategy = factory.Create(KnobValues.Create(factory.Name, factory.Knobs));
        var space = new Nb201Space();
        var asked = strategy.Ask(new SearchContext { Space = space, Random = new Random(3), AskIndex = 0 });
        space.Contains(asked).Should().BeTrue();
    }
}
