using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Tests;

/// <summary>What a host loads once, and what a script may not define twice.</summary>
public sealed class HostLoadingTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <remarks>
    /// <c>--plugins X --plugins X</c>, or the built-in packs' folder given again, loaded every plugin twice: each of its
    /// strategies was then "ignored" as a clash with itself, one warning per strategy.
    /// </remarks>
    [Fact]
    public void A_plugin_folder_named_twice_is_loaded_once_as_the_first_place_named_it()
    {
        var builtIn = PluginLocations.For(typeof(HostLoadingTests).Assembly)[0];
        builtIn.Kind.Should().Be(StrategySource.BuiltInPack);
        var extra = _folder.Path;

        var folders = PluginLocations.For(
            typeof(HostLoadingTests).Assembly,
            [builtIn.Path + Path.DirectorySeparatorChar, extra, extra]
        );

        folders
            .Where(f =>
                f.Path.TrimEnd(Path.DirectorySeparatorChar) == builtIn.Path.TrimEnd(Path.DirectorySeparatorChar)
            )
            .Should()
            .ContainSingle()
            .Which.Kind.Should()
            .Be(StrategySource.BuiltInPack);
        folders.Count(f => f.Path == extra).Should().Be(1);
        using var host = SandboxHost.Create(typeof(HostLoadingTests).Assembly, [builtIn.Path], lazyScripts: true);
        host.Warnings.Should().BeEmpty();
    }

    /// <remarks>Plugins were refused for this already; a script's second operation silently replaced its first.</remarks>
    [Theory]
    [InlineData("operation")]
    [InlineData("search space")]
    public void A_script_defining_one_name_twice_is_refused(string kind)
    {
        string path = _folder.Write(
            "twice.csx",
            kind == "operation"
                ? """
                public sealed class A : IOperation
                {
                    public string Name => "twin_op";
                    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build(int i, int o, int s) => TorchSharp.torch.nn.Identity();
                }
                public sealed class B : IOperation
                {
                    public string Name => "twin_op";
                    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build(int i, int o, int s) => TorchSharp.torch.nn.Identity();
                }
                """
                : WidthsSpaceScript.Source("twin_space")
                    + "\n"
                    + WidthsSpaceScript
                        .Source("twin_space")
                        .Replace("using Nas.Sandbox.Abstractions;", "")
                        .Replace("using static TorchSharp.torch;", "")
                        .Replace("Widths", "OtherWidths")
        );
        var operations = OperationRegistry.CreateDefault();
        using var catalog = new ScriptCatalog(new ScriptCompiler(), new StrategyCatalog(), operations);

        catalog.Load(path).Should().BeFalse();

        catalog
            .Errors.Single()
            .Message.Should()
            .Be(
                $"{path}(1,1): error NAS0010: defines {kind} '{(kind == "operation" ? "twin_op" : "twin_space")}' 2 times."
            );
        operations.Contains("twin_op").Should().BeFalse();
    }
}
