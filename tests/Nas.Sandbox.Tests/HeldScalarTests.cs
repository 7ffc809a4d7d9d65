using System.Reflection;
using System.Runtime.Loader;
using FluentAssertions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// No product code hands libtorch a Scalar that nothing holds (see <see cref="ImplicitScalarCalls"/>): such a Scalar,
/// freed by a garbage collection during the native call, killed trainings (in SGD's step, then in BatchNorm's forward).
/// The product holds its Scalars (<c>KeptAlive</c>'s optimizers, the contracts' <c>SafeTorch</c>); this reads the IL of the host, its libraries and the built-in packs,
/// so a new <c>a + b</c> on tensors or a new <c>nn.BatchNorm2d</c> fails here rather than once in thousands of steps.
/// </summary>
public sealed class HeldScalarTests
{
    [Fact]
    public void The_scan_knows_what_torchsharp_converts_implicitly()
    {
        var tensor = typeof(Tensor);
        ImplicitScalarCalls.IsUnsafe(tensor.GetMethod("add", [tensor])!).Should().BeTrue("its alpha is an implicit 1");
        ImplicitScalarCalls
            .IsUnsafe(tensor.GetMethod("op_Addition", [tensor, tensor])!)
            .Should()
            .BeTrue("a + b is add(b)");
        ImplicitScalarCalls
            .IsUnsafe(tensor.GetMethod("add", [tensor, typeof(Scalar)])!)
            .Should()
            .BeFalse("the caller passes alpha");
        ImplicitScalarCalls
            .IsUnsafe(typeof(nn).GetMethods().First(m => m.Name == "BatchNorm2d"))
            .Should()
            .BeTrue("its forward counts batches with add_(1)");
        ImplicitScalarCalls
            .IsUnsafe(typeof(optim).GetMethods().First(m => m.Name == "SGD"))
            .Should()
            .BeTrue("its step passes its rates implicitly");
        ImplicitScalarCalls
            .IsUnsafe(typeof(nn).GetMethods().First(m => m.Name == "Conv2d"))
            .Should()
            .BeFalse("a convolution passes no Scalar");
    }

    [Fact]
    public void No_product_assembly_hands_libtorch_an_unheld_scalar()
    {
        string[] libraries =
        [
            "Nas.Sandbox.Core",
            "Nas.Sandbox.Abstractions",
            "Nas.Sandbox.Abstractions.Torch",
            "Nas.Sandbox.Cluster",
            "Nas.Sandbox.Tui",
            "nas",
        ];
        var found = libraries.SelectMany(name => ImplicitScalarCalls.In(Assembly.Load(name))).ToList();

        var packs = BuiltInPacks();
        packs.Should().Contain(p => p.EndsWith("Nas.Sandbox.Strategies.Gradient.dll"), "the supernet trains");
        var context = new PackContext();
        try
        {
            foreach (string pack in packs)
                found.AddRange(ImplicitScalarCalls.In(context.Load(pack)));
        }
        finally
        {
            context.Unload();
        }

        found
            .Should()
            .BeEmpty("each of these makes a Scalar that a garbage collection can free while libtorch reads it");
    }

    /// <summary>
    /// The tests run in the test host, so an unheld Scalar there kills the whole run, not one test: since the tests
    /// build as Release (7 December 2026) nothing keeps a temporary alive to the end of its method as Debug did. Only
    /// the two classes that compare the product with TorchSharp's own SGD, Adam, BatchNorm2d and <c>+</c> call them,
    /// under <see cref="TorchSharpReference"/>.
    /// </summary>
    [Fact]
    public void No_test_hands_libtorch_an_unheld_scalar_but_under_the_reference_guard()
    {
        Type[] comparisons = [typeof(KeptAliveOptimizerTests), typeof(SafeTorchTests)];

        var found = ImplicitScalarCalls.In(typeof(HeldScalarTests).Assembly).ToList();

        found.Should().Contain(f => f.Contains("optim.SGD"), "the scan reads this assembly");
        found
            .Where(f =>
                !comparisons.Any(c =>
                    f.StartsWith(c.FullName + ".", StringComparison.Ordinal)
                    || f.StartsWith(c.FullName + "+", StringComparison.Ordinal)
                )
            )
            .Should()
            .BeEmpty("each of these makes a Scalar that a garbage collection can free while libtorch reads it");
    }

    [Fact]
    public void No_shipped_script_hands_libtorch_an_unheld_scalar()
    {
        // The examples users copy: scripts/ and the headline's plain CNN.
        string[] scripts =
        [
            .. Directory.GetFiles(Path.Combine(ScriptTestKit.RepoRoot, "scripts"), "*.csx"),
            Path.Combine(ScriptTestKit.RepoRoot, "bench", "headline", "plain-cnn.csx"),
        ];
        var compiler = new ScriptCompiler();
        var found = new List<string>();
        foreach (string path in scripts)
        {
            var result = compiler.Compile(path);
            result.Errors.Should().BeEmpty(path);
            using var script = result.Script!;
            object published = script
                .Operations.Cast<object>()
                .Concat(script.Strategies)
                .Concat(script.Estimators)
                .Concat(script.Spaces)
                .First();
            found.AddRange(
                ImplicitScalarCalls.In(published.GetType().Assembly).Select(f => $"{Path.GetFileName(path)}: {f}")
            );
        }

        found
            .Should()
            .BeEmpty("each of these makes a Scalar that a garbage collection can free while libtorch reads it");
    }

    private static string[] BuiltInPacks()
    {
        var folder = PluginLocations.For(Assembly.Load("nas")).First(d => d.Kind == StrategySource.BuiltInPack).Path;
        return Directory
            .GetDirectories(folder)
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".dll"))
            .Where(File.Exists)
            .ToArray();
    }

    /// <summary>Loads a pack for reading, sharing the host's TorchSharp and contracts as the plugin host does.</summary>
    private sealed class PackContext() : AssemblyLoadContext("held-scalar-scan", isCollectible: true)
    {
        private readonly Dictionary<string, AssemblyDependencyResolver> _resolvers = [];

        public Assembly Load(string path)
        {
            _resolvers[path] = new AssemblyDependencyResolver(path);
            return LoadFromAssemblyPath(path);
        }

        protected override Assembly? Load(AssemblyName name)
        {
            if (Default.Assemblies.Any(a => a.GetName().Name == name.Name))
                return null;
            foreach (var resolver in _resolvers.Values)
                if (resolver.ResolveAssemblyToPath(name) is { } path)
                    return LoadFromAssemblyPath(path);
            return null;
        }
    }
}
