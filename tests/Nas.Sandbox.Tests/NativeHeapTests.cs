using FluentAssertions;
using Nas.Sandbox.Core.Evaluation;
using Xunit;

namespace Nas.Sandbox.Tests;

/// <summary>
/// Every host calls TorchRuntime.Configure first (this assembly too, in TestAssemblySetup): on glibc it must leave the
/// allocator tuned, or training pays page faults on every batch again (docs/reference/platform.md, "glibc's heap").
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public void Configure_tunes_glibcs_heap_unless_the_user_tunes_it()
    {
        TorchRuntime.Configure();
        bool userTunes =
            Environment.GetEnvironmentVariable(NativeHeap.OptOutVariable) is not null
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null
            || Environment
                .GetEnvironmentVariables()
                .Keys.Cast<string>()
                .Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal));
        NativeHeap.Tuned.Should().Be(OperatingSystem.IsLinux() && !userTunes);
    }
}
