using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;

namespace Nas.Sandbox.Tests;

public class PluginTests
{
    [Fact]
    public void The_built_in_pack_is_loaded_as_a_plugin_from_the_plugin_folder()
    {
        using var host = SandboxHost.Create(typeof(PluginTests).Assembly);
        host.Plugins.Errors.Should().BeEmpty();
        var names = host.Strategies.All.Select(s => s.Name).ToArray();
        names.Should().Contain(["random-search", "regularized-evolution"]);
        var entry = host.Strategies.Get("regularized-evolution");
        entry.Source.Kind.Should().Be(StrategySource.BuiltInPack);
        entry.Source.Origin.Should().EndWith("Nas.Sandbox.Strategies.Classic.dll");
        // Loaded into its own context, not referenced by the host.
        System
            .Runtime.Loader.AssemblyLoadContext.GetLoadContext(entry.Factory.GetType().Assembly)
            .Should()
            .NotBe(System.Runtime.Loader.AssemblyLoadContext.Default);
        entry.Factory.Knobs.Select(k => k.Name).Should().Equal("population", "sample", "mutations", "distinct");
    }

    [Fact]
    public void The_pack_was_compiled_against_this_api_version()
    {
        using var host = SandboxHost.Create(typeof(PluginTests).Assembly);
        string dll = host.Strategies.Get("random-search").Source.Origin;
        var referenced = PluginApiCheck.ReferencedApiVersion(dll);
        PluginApiCheck.Incompatibility("classic", referenced).Should().BeNull();
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 0)]
    [InlineData(2, 7)]
    public void A_plugin_built_against_another_api_version_is_refused_naming_both_versions(int major, int minor)
    {
        string? reason = PluginApiCheck.Incompatibility("my-pack", new Version(major, minor, 0, 0));
        reason
            .Should()
            .Contain("'my-pack'")
            .And.Contain($"API {major}.{minor}")
            .And.Contain($"API {ApiVersion.Current.Major}.{ApiVersion.Current.Minor}");
    }
}
