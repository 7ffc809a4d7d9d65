using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

/// <summary>A plugin rebuilt on disk is reloaded by the catalog and announced to running races.</summary>
public sealed class PluginHotReloadTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nas-plugins-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private static string Source(string description) =>
        $$"""
            using System.Collections.Generic;
            using Nas.Sandbox.Abstractions;
            [assembly: System.Reflection.AssemblyInformationalVersion("2.1.0")]
            public sealed class HotFactory : IStrategyFactory
            {
                public string Name => "hot";
                public string Description => "{{description}}";
                public IReadOnlyList<Knob> Knobs { get; } = new Knob[0];
                public IStrategy Create(KnobValues knobs) => new Hot();
            }
            public sealed class Hot : IStrategy
            {
                public Architecture Ask(SearchContext c) => c.Space.Sample(c.Random);
                public void Tell(Trial t) { }
            }
            """;

    /// <summary>Compiles a plugin dll against the host's contracts, as `dotnet build` of a plugin project would.</summary>
    private static void CompilePlugin(string path, string description)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IStrategy).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "HotPack",
            [CSharpSyntaxTree.ParseText(Source(description))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        result.Success.Should().BeTrue(string.Join("\n", result.Diagnostics));
        File.WriteAllBytes(path, output.ToArray());
    }

    [Fact]
    public async Task A_rebuilt_plugin_is_reloaded_and_its_new_build_announced()
    {
        string folder = Path.Combine(_root, "HotPack");
        Directory.CreateDirectory(folder);
        string dll = Path.Combine(folder, "HotPack.dll");
        CompilePlugin(dll, "first build");

        var strategies = new StrategyCatalog();
        using var plugins = PluginCatalog.Load(
            [new PluginDirectory(_root, StrategySource.PluginFolder)],
            strategies,
            TimeSpan.FromMilliseconds(50)
        );
        plugins.Errors.Should().BeEmpty();
        var first = strategies.Get("hot");
        first.Factory.Description.Should().Be("first build");
        first.Source.Version.Should().Be("2.1.0");

        var announced = new TaskCompletionSource<StrategyEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        strategies.EntryReplaced += entry => announced.TrySetResult(entry);
        CompilePlugin(dll, "second build");

        var second = await announced.Task.WaitAsync(TimeSpan.FromSeconds(15));
        second.Factory.Description.Should().Be("second build");
        second.Source.Build.Should().NotBe(first.Source.Build);
        strategies.Get("hot").Should().BeSameAs(second);
        // The new build is a new type in a new load context.
        second.Factory.GetType().Should().NotBeSameAs(first.Factory.GetType());
    }
}
