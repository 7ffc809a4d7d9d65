using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Cli;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Hosting;
using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Plugins publish estimators and operations as well as strategies: found by type, the estimator resolved by name
/// after the built-ins, the operation registered in the host's registry (usable in <c>--operations</c>), both shown by
/// <c>nas list</c>, both replaced when the plugin is rebuilt, and a name another source has refuses the plugin.
/// </summary>
[Collection(TorchGeneratorLane.Name)]
public sealed class PluginExportsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nas-plugin-exports-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    /// <summary>
    /// An estimator scoring the share of <c>{op}</c> edges (score <c>{scale}</c> × share) and a ReLU-Conv-BN 5×5
    /// operation named <c>{op}</c>; a strategy too, so the plugin is a complete pack.
    /// </summary>
    private static string Source(string estimator, string op, double scale) =>
        $$"""
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Nas.Sandbox.Abstractions;
            using TorchSharp.Modules;
            using static TorchSharp.torch;
            [assembly: System.Reflection.AssemblyInformationalVersion("3.2.1")]
            public sealed class ShareEstimator : IEstimator
            {
                public string Name => "{{estimator}}";
                public Task<EvaluationResult> EvaluateAsync(Architecture a, EvaluationRequest r, CancellationToken c) =>
                    Task.FromResult(new EvaluationResult
                    {
                        Status = TrialStatus.Ok, CostSeconds = 0.5, Fidelity = r.Fidelity,
                        Metrics = new Metrics { Score = {{scale}} * a.Choices.Count(x => x == "{{op}}") / (double)a.Choices.Count },
                    });
            }
            public sealed class Conv5x5 : IOperation
            {
                public string Name => "{{op}}";
                public nn.Module<Tensor, Tensor> Build(int i, int o, int s) => new ReluConv5x5Bn(i, o, s);
            }
            public sealed class ReluConv5x5Bn : nn.Module<Tensor, Tensor>
            {
                private readonly Conv2d conv;
                private readonly BatchNorm2d bn;
                public ReluConv5x5Bn(long i, long o, long s) : base(nameof(ReluConv5x5Bn))
                {
                    conv = nn.Conv2d(i, o, 5, stride: s, padding: 2, bias: false);
                    bn = nn.BatchNorm2d(o);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => bn.call(conv.call(x.relu()));
            }
            public sealed class ExportsFactory : IStrategyFactory
            {
                public string Name => "exports-random";
                public string Description => "random";
                public IReadOnlyList<Knob> Knobs { get; } = new Knob[0];
                public IStrategy Create(KnobValues knobs) => new Sampler();
            }
            public sealed class Sampler : IStrategy
            {
                public Architecture Ask(SearchContext c) => c.Space.Sample(c.Random);
                public void Tell(Trial t) { }
            }
            """;

    /// <summary>Compiles a plugin into <c>root/Name/Name.dll</c> against the host's contracts and TorchSharp, as `dotnet build` of a pack would.</summary>
    private string CompilePlugin(string name, string source)
    {
        string folder = Path.Combine(_root, name);
        Directory.CreateDirectory(folder);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        result.Success.Should().BeTrue(string.Join("\n", result.Diagnostics));
        string dll = Path.Combine(folder, name + ".dll");
        File.WriteAllBytes(dll, output.ToArray());
        return dll;
    }

    private SandboxHost Host() => SandboxHost.Create(typeof(PluginExportsTests).Assembly, [_root], lazyScripts: true);

    private static readonly string Conv5 =
        "|conv_5x5_test~0|+|nor_conv_3x3~0|conv_5x5_test~1|+|skip_connect~0|none~1|conv_5x5_test~2|";

    [Fact]
    public async Task A_plugins_estimator_is_resolved_by_name_and_prices_an_architecture()
    {
        string dll = CompilePlugin("ExportsPack", Source("share-test", "conv_5x5_test", 1.0));
        using var host = Host();
        host.Plugins.Errors.Should().BeEmpty();

        var estimator = host.CreateEstimator("share-test", "fashion-mnist", new TrainingSettings(), "cpu");
        estimator.Name.Should().Be("share-test");
        var space = host.CreateSpace("nb201", ["none", "skip_connect", "nor_conv_3x3", "conv_5x5_test"]);
        var result = await estimator.EvaluateAsync(
            space.Parse(Conv5),
            new EvaluationRequest { Seed = 1, DataSeed = 2 },
            CancellationToken.None
        );
        result.Status.Should().Be(TrialStatus.Ok);
        result.Metrics.Score.Should().Be(3 / 6.0);

        var entry = host.Plugins.Estimators.Single(e => e.Name == "share-test");
        (entry.Source.Kind, entry.Source.Origin, entry.Source.Version)
            .Should()
            .Be((StrategySource.PluginFolder, dll, "3.2.1"));
        var listed = ListCommand.Describe(host)["estimators"]!.Single(e => (string)e["name"]! == "share-test");
        ((string)listed["source"]!, (string)listed["version"]!, (string)listed["origin"]!)
            .Should()
            .Be(("plugin folder", "3.2.1", dll));
        // The unknown-name message lists plugin estimators too.
        host.Invoking(h => h.CreateEstimator("nope", "fashion-mnist", new TrainingSettings(), "cpu"))
            .Should()
            .Throw<NasException>()
            .WithMessage("*share-test*");
    }

    [Fact]
    public void A_plugins_operation_is_registered_usable_in_a_space_and_builds_the_network()
    {
        string dll = CompilePlugin("ExportsPack", Source("share-test", "conv_5x5_test", 1.0));
        using var host = Host();
        host.Operations.SourceOf("conv_5x5_test").Should().Be($"plugin {dll}");
        // What --operations does.
        var space = host.CreateSpace("nb201", ["none", "skip_connect", "nor_conv_3x3", "conv_5x5_test"]);
        space.Operations.Should().Contain("conv_5x5_test");

        using var scope = NewDisposeScope();
        using (var module = host.Operations.Get("conv_5x5_test").Build(8, 16, 2))
        {
            module.parameters().Sum(p => p.numel()).Should().Be(25L * 8 * 16 + 2L * 16);
            module.call(randn(2, 8, 8, 8)).shape.Should().Equal(2, 16, 4, 4);
        }
        using var network = new Nb201Network(space.Parse(Conv5), new NetworkSettings(8, 1, 1, 28, 10), host.Operations);
        var logits = network.call(randn(3, 1, 28, 28));
        logits.shape.Should().Equal(3, 10);
        logits.sum().backward();
    }

    [Fact]
    public void A_plugin_whose_operation_or_estimator_name_is_taken_is_refused_whole_and_reported()
    {
        string first = CompilePlugin("APack", Source("share-a", "conv_5x5_test", 1.0));
        // Loaded after APack (folders in order): the same operation name, another estimator name.
        string second = CompilePlugin(
            "BPack",
            Source("share-b", "conv_5x5_test", 1.0).Replace("exports-random", "exports-b")
        );
        // A built-in estimator's name.
        string third = CompilePlugin(
            "CPack",
            Source("train", "conv_5x5_other", 1.0).Replace("exports-random", "exports-c")
        );
        using var host = Host();

        host.Plugins.Errors.Should().HaveCount(2);
        host.Plugins.Errors.Single(e => e.PluginPath == second)
            .Message.Should()
            .Contain("'BPack'")
            .And.Contain("operation 'conv_5x5_test' is already registered by plugin " + first);
        host.Plugins.Errors.Single(e => e.PluginPath == third)
            .Message.Should()
            .Contain("'CPack'")
            .And.Contain("estimator 'train' is a built-in");
        // Nothing of a refused plugin is published.
        host.Operations.SourceOf("conv_5x5_test").Should().Be($"plugin {first}");
        host.Operations.Contains("conv_5x5_other").Should().BeFalse();
        host.Plugins.Estimators.Select(e => e.Name).Should().Equal("share-a");
        host.Strategies.All.Select(s => s.Name)
            .Should()
            .Contain("exports-random")
            .And.NotContain(["exports-b", "exports-c"]);
    }

    /// <remarks>
    /// Before, a script's estimator named like a built-in or a plugin's was listed yet never raced (those resolve first),
    /// and of two scripts' estimators of one name the one loaded last raced, silently.
    /// </remarks>
    [Fact]
    public async Task A_script_estimator_whose_name_is_taken_is_refused_whole_and_the_first_owner_races()
    {
        string dll = CompilePlugin("APack", Source("share-a", "conv_5x5_test", 1.0));
        using var scripts = new ScriptFolder();
        string first = scripts.Write("a.csx", ScriptCommandTests.EstimatorScript("A", "quick", 0.25));
        string second = scripts.Write("b.csx", ScriptCommandTests.EstimatorScript("B", "quick", 0.75));
        string builtIn = scripts.Write("c.csx", ScriptCommandTests.EstimatorScript("C", "train"));
        // A plugin's estimator name, and an operation that must not be registered when the script is refused.
        string plugin = scripts.Write(
            "d.csx",
            ScriptCommandTests.EstimatorScript("D", "share-a")
                + """

                public sealed class Mine : IOperation
                {
                    public string Name => "op_of_d";
                    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build(int i, int o, int s) =>
                        TorchSharp.torch.nn.Identity();
                }
                """
        );
        using var host = SandboxHost.Create(typeof(PluginExportsTests).Assembly, [_root], [scripts.Path]);

        host.Scripts.Errors.Select(e => e.Message)
            .Should()
            .BeEquivalentTo(
                $"{second}(1,1): error NAS0010: estimator 'quick' is already defined by script {first}; rename one of them.",
                $"{builtIn}(1,1): error NAS0010: estimator 'train' is already provided by the built-in estimator; rename it.",
                $"{plugin}(1,1): error NAS0010: estimator 'share-a' is already provided by plugin {dll}; rename it."
            );
        host.Warnings.Should().Contain(w => w.Contains(second) && w.Contains("NAS0010"));
        host.Operations.Contains("op_of_d").Should().BeFalse("a refused script publishes nothing");
        var space = host.CreateSpace("nb201");
        var quick = host.CreateEstimator("quick", "fashion-mnist", new TrainingSettings(), "cpu");
        var request = new EvaluationRequest { Seed = 1, DataSeed = 2 };
        var architecture = space.Sample(new Random(1));
        (await quick.EvaluateAsync(architecture, request, CancellationToken.None))
            .Metrics.ValidationAccuracy.Should()
            .Be(0.25, "the first script's estimator races");
        host.CreateEstimator("share-a", "fashion-mnist", new TrainingSettings(), "cpu")
            .Should()
            .BeSameAs(host.Plugins.FindEstimator("share-a")!.Estimator);

        // A save that takes a name is refused like a compile error: the previous version stays published.
        var recompiled = new List<IReadOnlyList<Nas.Sandbox.Core.Hosting.Scripts.ScriptDiagnostic>>();
        host.Scripts.Recompiled += (_, diagnostics) => recompiled.Add(diagnostics);
        var failures = new List<string>();
        host.Strategies.SourceFailed += (_, message) => failures.Add(message);
        File.WriteAllText(first, ScriptCommandTests.EstimatorScript("A", "train", 0.5));
        host.Scripts.Recompile(first);
        recompiled.Single().Should().Contain(d => d.Code == "NAS0010" && d.Message.Contains("'train'"));
        failures.Should().ContainSingle().Which.Should().Contain("NAS0010");
        (
            await host.CreateEstimator("quick", "fashion-mnist", new TrainingSettings(), "cpu")
                .EvaluateAsync(architecture, request, CancellationToken.None)
        )
            .Metrics.ValidationAccuracy.Should()
            .Be(0.25);
    }

    [Fact]
    public async Task A_rebuilt_plugin_replaces_its_estimators_and_operations()
    {
        string dll = CompilePlugin("HotExports", Source("share-hot", "conv_5x5_test", 1.0));
        var strategies = new StrategyCatalog();
        var operations = Core.Evaluation.Operations.OperationRegistry.CreateDefault();
        using var plugins = PluginCatalog.Load(
            [new PluginDirectory(_root, StrategySource.PluginFolder)],
            strategies,
            TimeSpan.FromMilliseconds(50),
            operations
        );
        plugins.Errors.Should().BeEmpty();
        var oldEstimator = plugins.FindEstimator("share-hot")!.Estimator;
        var oldOperation = operations.Get("conv_5x5_test");

        var reloaded = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        plugins.Reloaded += (_, error) => reloaded.TrySetResult(error);
        // The new build scores twice as high and has one more estimator.
        CompilePlugin(
            "HotExports",
            Source("share-hot", "conv_5x5_test", 2.0)
                .Replace(
                    "public sealed class ShareEstimator",
                    """
                    public sealed class Second : IEstimator
                    {
                        public string Name => "share-hot-2";
                        public Task<EvaluationResult> EvaluateAsync(Architecture a, EvaluationRequest r, CancellationToken c) => new ShareEstimator().EvaluateAsync(a, r, c);
                    }
                    public sealed class ShareEstimator
                    """
                )
        );
        (await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15))).Should().BeNull();

        plugins.Estimators.Select(e => e.Name).Should().Equal("share-hot", "share-hot-2");
        var newEstimator = plugins.FindEstimator("share-hot")!.Estimator;
        newEstimator.Should().NotBeSameAs(oldEstimator);
        var architecture = new Core.Spaces.Nb201Space(["none", "conv_5x5_test"]).Parse(
            "|conv_5x5_test~0|+|none~0|none~1|+|none~0|none~1|none~2|"
        );
        var request = new EvaluationRequest { Seed = 1, DataSeed = 1 };
        (await newEstimator.EvaluateAsync(architecture, request, default)).Metrics.Score.Should().Be(2 / 6.0);
        // A race that started with the old build's instance keeps it, and it still works.
        (await oldEstimator.EvaluateAsync(architecture, request, default)).Metrics.Score.Should().Be(1 / 6.0);
        operations.Get("conv_5x5_test").Should().NotBeSameAs(oldOperation);
        operations.SourceOf("conv_5x5_test").Should().Be($"plugin {dll}");
    }
}
