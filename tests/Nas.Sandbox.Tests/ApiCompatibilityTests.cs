using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Spaces;
using Nas.Sandbox.Tests.Packs;
using IOperation = Nas.Sandbox.Abstractions.IOperation;

namespace Nas.Sandbox.Tests;

/// <summary>
/// API 2.0 split the contracts: Nas.Sandbox.Abstractions is free of TorchSharp, and what must stay tensor-based
/// (IOperation, ITrainingKit) moved to Nas.Sandbox.Abstractions.Torch. Moving types between assemblies breaks plugins
/// built against 1.x, so they are refused with the loader's rebuild message; a 2.0 strategy plugin compiled against the
/// torch-free assembly alone (no TorchSharp, no Torch contracts) loads and races.
/// </summary>
public sealed class ApiCompatibilityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nas-api-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private static readonly string[] ContractsAndTorch = ["Nas.Sandbox.Abstractions", "Nas.Sandbox.Abstractions.Torch"];

    /// <summary>The framework and whatever else the test host has, except the contracts and anything of TorchSharp.</summary>
    private static IEnumerable<MetadataReference> Platform() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p =>
                !ContractsAndTorch.Contains(Path.GetFileNameWithoutExtension(p))
                && !Path.GetFileName(p).StartsWith("TorchSharp", StringComparison.Ordinal)
            )
            .Select(p => MetadataReference.CreateFromFile(p));

    private static byte[] Emit(CSharpCompilation compilation)
    {
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        result
            .Success.Should()
            .BeTrue(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }

    /// <summary>The torch-free contracts as a 1.x host shipped them, as far as a strategy plugin sees them: today's sources at 1.2.0.0.</summary>
    private static byte[] Contracts12() => Contracts("1.2.0.0");

    /// <summary>Today's torch-free contract sources compiled at <paramref name="version"/>, as an older host shipped them.</summary>
    private static byte[] Contracts(string version)
    {
        string folder = Path.Combine(ScriptTestKit.RepoRoot, "src", "Nas.Sandbox.Abstractions");
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var sources = Directory
            .GetFiles(folder, "*.cs")
            .Select(File.ReadAllText)
            .Append($"[assembly: System.Reflection.AssemblyVersion(\"{version}\")]")
            .Append(
                "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;"
            )
            .Select(text => CSharpSyntaxTree.ParseText(text, options));
        return Emit(
            CSharpCompilation.Create(
                "Nas.Sandbox.Abstractions",
                sources,
                Platform(),
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable
                )
            )
        );
    }

    private static string PluginSource(string name) =>
        $$"""
            using System.Collections.Generic;
            using Nas.Sandbox.Abstractions;
            public sealed class Factory : IStrategyFactory
            {
                public string Name => "{{name}}";
                public string Description => "a strategy plugin compiled against the torch-free contracts only";
                public IReadOnlyList<Knob> Knobs { get; } = new[] { new Knob("step", "1", "edges changed") };
                public IStrategy Create(KnobValues knobs) => new Climber(knobs.GetInt("step"));
            }
            public sealed class Climber : IStrategy
            {
                private readonly int _step;
                private Trial? _best;
                public Climber(int step) { _step = step; }
                public Architecture Ask(SearchContext c) => _best is null ? c.Space.Sample(c.Random) : c.Space.Mutate(_best.Architecture, c.Random);
                public void Tell(Trial t) { if (t.Objective is { } o && (_best?.Objective is not { } b || o > b)) _best = t; }
            }
            """;

    private string WritePlugin(string name, byte[] image)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        string dll = Path.Combine(folder, name + ".dll");
        File.WriteAllBytes(dll, image);
        return dll;
    }

    private static byte[] CompilePlugin(string assembly, string strategy, MetadataReference contracts) =>
        Emit(
            CSharpCompilation.Create(
                assembly,
                [CSharpSyntaxTree.ParseText(PluginSource(strategy), new CSharpParseOptions(LanguageVersion.Latest))],
                Platform().Append(contracts),
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable
                )
            )
        );

    [Fact]
    public void The_contracts_are_api_2_4_and_the_torch_free_assembly_references_no_torchsharp()
    {
        ApiVersion.Current.Should().Be(new Version(2, 4));
        var contracts = typeof(IStrategy).Assembly;
        var torch = typeof(IOperation).Assembly;
        contracts.GetName().Name.Should().Be("Nas.Sandbox.Abstractions");
        torch.GetName().Name.Should().Be("Nas.Sandbox.Abstractions.Torch");
        contracts
            .GetReferencedAssemblies()
            .Select(a => a.Name)
            .Should()
            .NotContain(n => n!.StartsWith("TorchSharp", StringComparison.Ordinal))
            .And.NotContain("Nas.Sandbox.Abstractions.Torch");
        foreach (var assembly in new[] { contracts, torch })
            new Version(assembly.GetName().Version!.Major, assembly.GetName().Version!.Minor)
                .Should()
                .Be(ApiVersion.Current, assembly.GetName().Name);
        torch
            .GetReferencedAssemblies()
            .Should()
            .Contain(a => a.Name == "Nas.Sandbox.Abstractions" && a.Version == contracts.GetName().Version);
        typeof(ITrainingKit).Should().Implement<ITrainingSetup>();
        PluginApiCheck.ContractsAssemblyNames.Should().Equal(ContractsAndTorch);
    }

    [Fact]
    public void A_plugin_compiled_against_api_1_x_is_refused_with_the_rebuild_message()
    {
        string dll = WritePlugin(
            "OldPack",
            CompilePlugin("OldPack", "built-against-1-2", MetadataReference.CreateFromImage(Contracts12()))
        );
        PluginApiCheck.ReferencedApiVersion(dll).Should().Be(new Version(1, 2, 0, 0));

        var strategies = new StrategyCatalog();
        using var plugins = PluginCatalog.Load(
            [new PluginDirectory(_root, StrategySource.PluginFolder)],
            strategies,
            TimeSpan.FromMilliseconds(50)
        );
        plugins
            .Errors.Select(e => (e.PluginPath, e.Message))
            .Should()
            .Equal(
                (
                    dll,
                    "Plugin 'OldPack' was built against Nas.Sandbox API 1.2; this host provides API 2.4. Rebuild the plugin against API 2.4."
                )
            );
        strategies.All.Select(s => s.Name).Should().NotContain("built-against-1-2");
    }

    [Theory]
    [InlineData("2.4.0.0")]
    [InlineData("2.3.0.0")]
    [InlineData("2.2.0.0")]
    [InlineData("2.1.0.0")]
    [InlineData("2.0.0.0")]
    public async Task A_2_x_strategy_plugin_compiled_against_the_torch_free_contracts_alone_loads_and_races(
        string built
    )
    {
        // Compiled with neither TorchSharp nor the Torch contracts among its references: a strategy author needs no libtorch.
        // Built against this host's contracts (2.4), or an older minor version's (2.0, before trials in flight; 2.1, before
        // multi-fidelity; 2.2, before spaces as plugins; 2.3, before SafeTorch): all race.
        var contracts =
            built == "2.4.0.0"
                ? MetadataReference.CreateFromFile(typeof(IStrategy).Assembly.Location)
                : MetadataReference.CreateFromImage(Contracts(built));
        string dll = WritePlugin("NewPack", CompilePlugin("NewPack", "built-against-2-0", contracts));
        var references = AssemblyReferences(dll);
        references.Should().Contain(("Nas.Sandbox.Abstractions", Version.Parse(built)));
        references
            .Select(r => r.Name)
            .Should()
            .NotContain(n => n.StartsWith("TorchSharp", StringComparison.Ordinal))
            .And.NotContain("Nas.Sandbox.Abstractions.Torch");
        PluginApiCheck.ReferencedApiVersion(dll).Should().Be(Version.Parse(built));

        var strategies = new StrategyCatalog();
        using var plugins = PluginCatalog.Load(
            [new PluginDirectory(_root, StrategySource.PluginFolder)],
            strategies,
            TimeSpan.FromMilliseconds(50)
        );
        plugins.Errors.Should().BeEmpty();
        var factory = strategies.Get("built-against-2-0").Factory;
        // One type identity: the plugin's own context holds no copy of the contracts; it uses the host's.
        var context = AssemblyLoadContext.GetLoadContext(factory.GetType().Assembly)!;
        context.Should().NotBe(AssemblyLoadContext.Default);
        context.Assemblies.Select(a => a.GetName().Name).Should().NotContain(ContractsAndTorch);

        var space = new Nb201Space();
        var journal = new ListJournal();
        await new Referee(space, new FormulaEstimator(), strategies, journal).RunAsync(
            new RaceSettings
            {
                Contestants = [ContestantSpec.Parse("built-against-2-0:step=2")],
                Budget = 6,
                Heats = 1,
                Seed = 5,
                Estimator = "formula",
                Space = space.Name,
            }
        );
        journal.Events.OfType<ContestantFailed>().Should().BeEmpty();
        var trials = journal.Events.OfType<TrialFinished>().Select(t => t.Trial).ToArray();
        trials.Should().HaveCount(6).And.OnlyContain(t => t.Status == TrialStatus.Ok && space.Contains(t.Architecture));
    }

    [Theory]
    [InlineData(2, 0, true)]
    [InlineData(2, 1, true)]
    [InlineData(2, 2, true)]
    [InlineData(2, 3, true)]
    [InlineData(2, 4, true)]
    [InlineData(2, 5, false)]
    [InlineData(1, 2, false)]
    [InlineData(3, 0, false)]
    public void A_plugin_referencing_only_the_tensor_based_contracts_is_checked_the_same_way(
        int major,
        int minor,
        bool loads
    )
    {
        byte[] image = FakePlugin.Compile(
            "Ops",
            new Version(major, minor, 0, 0),
            contractsAssembly: "Nas.Sandbox.Abstractions.Torch"
        );
        string dll = WritePlugin("Ops", image);
        AssemblyReferences(dll)
            .Select(r => r.Name)
            .Should()
            .Contain("Nas.Sandbox.Abstractions.Torch")
            .And.NotContain("Nas.Sandbox.Abstractions");
        PluginApiCheck.ReferencedApiVersion(dll).Should().Be(new Version(major, minor, 0, 0));
        string? reason = PluginApiCheck.Incompatibility("Ops", PluginApiCheck.ReferencedApiVersion(dll));
        if (loads)
            reason.Should().BeNull();
        else
            reason
                .Should()
                .Be(
                    $"Plugin 'Ops' was built against Nas.Sandbox API {major}.{minor}; this host provides API 2.4. Rebuild the plugin against API 2.4."
                );
    }

    [Fact]
    public void A_plugin_referencing_neither_contract_assembly_is_refused_naming_both() =>
        PluginApiCheck
            .Incompatibility("Lonely", null)
            .Should()
            .Be(
                "Plugin 'Lonely' references neither Nas.Sandbox.Abstractions nor Nas.Sandbox.Abstractions.Torch: it provides nothing this host can use."
            );

    private static (string Name, Version Version)[] AssemblyReferences(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata
            .AssemblyReferences.Select(h => metadata.GetAssemblyReference(h))
            .Select(r => (metadata.GetString(r.Name), r.Version))
            .ToArray();
    }
}
