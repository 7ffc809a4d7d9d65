using System.Runtime.CompilerServices;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// A disposed script leaves nothing behind: its collectible load context is collected once nothing references the
/// script's objects, so a session that recompiles a script on every save does not grow.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public class ScriptUnloadTests
{
    [Fact]
    public void A_disposed_strategy_script_is_unloaded()
    {
        var context = CompileUseAndDispose("edge-bandit.csx", script =>
        {
            var factory = script.Strategies.Single();
            var strategy = factory.Create(KnobValues.Create(factory.Name, factory.Knobs));
            var space = new Nb201Space();
            space
                .Contains(
                    strategy.Ask(
                        new SearchContext
                        {
                            Space = space,
                            Random = new Random(1),
                            AskIndex = 0,
                        }
                    )
                )
                .Should()
                .BeTrue();
        });
        WaitUntilCollected(context).Should().BeTrue("the script's load context should be collected after Dispose");
    }

    [Fact]
    public void A_disposed_operation_script_is_unloaded_after_its_modules_ran()
    {
        var context = CompileUseAndDispose("nor-dil-conv-3x3.csx", script =>
        {
            using var scope = NewDisposeScope();
            using var module = script.Operations.Single().Build(4, 4, 1);
            module.call(randn(1, 4, 6, 6)).sum().backward();
        });
        WaitUntilCollected(context).Should().BeTrue("the script's load context should be collected after Dispose");
    }

    [Fact]
    public void A_failed_compile_leaves_nothing_loaded()
    {
        var context = FailToLoad();
        WaitUntilCollected(context).Should().BeTrue();
    }

    // Not inlined, so that no local of the test method keeps a script object alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CompileUseAndDispose(
        string file,
        Action<Nas.Sandbox.Core.Hosting.Scripts.CompiledScript> use
    )
    {
        var script = ScriptTestKit.CompileExample(file);
        use(script);
        var reference = script.LoadContextReference;
        script.Dispose();
        script.Strategies.Should().BeEmpty();
        script.Operations.Should().BeEmpty();
        return reference;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference FailToLoad()
    {
        // Compiles and loads, then fails while instantiating: the context must be unloaded on that path too.
        using var folder = new ScriptFolder();
        string key = "nas-test-context-" + Guid.NewGuid();
        // The script hands out a weak reference to its own load context (the only handle on it from outside).
        string path = folder.Write(
            "fails.csx",
            $$"""
            public sealed class Stillborn : IStrategyFactory
            {
                public Stillborn() => throw new InvalidOperationException("no");
                public string Name => "x"; public string Description => ""; public IReadOnlyList<Knob> Knobs => [];
                public IStrategy Create(KnobValues k) => null!;
            }
            AppDomain.CurrentDomain.SetData("{{key}}", new WeakReference(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(Stillborn).Assembly)));
            """
        );
        ScriptTestKit.Compiler.Compile(path).Diagnostics.Should().ContainSingle().Which.Code.Should().Be("NAS0004");
        var reference = (WeakReference)AppDomain.CurrentDomain.GetData(key)!;
        AppDomain.CurrentDomain.SetData(key, null);
        return reference;
    }

    private static bool WaitUntilCollected(WeakReference reference)
    {
        for (int i = 0; i < 10 && reference.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return !reference.IsAlive;
    }
}
