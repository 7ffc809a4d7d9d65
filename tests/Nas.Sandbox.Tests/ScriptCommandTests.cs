using System.Diagnostics;

namespace Nas.Sandbox.Tests;

/// <summary><c>nas script check</c> through the real executable: output format and exit codes.</summary>
public sealed class ScriptCommandTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static (int Exit, string Out, string Err) Nas(params string[] args) => NasProcess.Run(args);

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void A_good_script_says_what_it_defines_and_exits_0()
    {
        var (exit, stdout, stderr) = Nas("script", "check", ScriptTestKit.Example("crossover-evolution.csx"));
        exit.Should().Be(0, stderr);
        Lines(stdout).Should().Equal("ok: strategy crossover-evolution");
        stderr.Should().BeEmpty();
    }

    [Fact]
    public void A_script_with_a_warning_prints_it_and_still_exits_0()
    {
        string path = _folder.Write(
            "op.csx",
            """
            using static TorchSharp.torch;
            #warning not tuned yet
            public sealed class Identity : IOperation
            {
                public string Name => "my_identity";
                public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) => nn.Identity();
            }
            """
        );
        var (exit, stdout, stderr) = Nas("script", "check", path);
        exit.Should().Be(0, stderr);
        Lines(stdout)
            .Should()
            .Equal($"{path}(2,10): warning CS1030: #warning: 'not tuned yet'", "ok: operation my_identity");
    }

    [Fact]
    public void A_broken_script_prints_compiler_style_errors_and_exits_1()
    {
        string path = _folder.Write(
            "broken.csx",
            "public sealed class S : IStrategy\n{\n    public Architecture Ask(SearchContext c) => c.Space.Sample(c.Rng);\n    public void Tell(Trial t) { }\n}\nint x = 1\n"
        );
        var (exit, stdout, _) = Nas("script", "check", path);
        exit.Should().Be(1);
        var lines = Lines(stdout);
        lines
            .Should()
            .Equal(
                $"{path}(3,66): error CS1061: 'SearchContext' does not contain a definition for 'Rng' and no accessible extension method 'Rng' accepting a first argument of type 'SearchContext' could be found (are you missing a using directive or an assembly reference?)",
                $"{path}(6,10): error CS1002: ; expected"
            );
        lines.Should().OnlyContain(l => !l.StartsWith("ok:"));
    }

    [Fact]
    public void A_missing_script_exits_1_with_our_code()
    {
        string missing = Path.Combine(_folder.Path, "missing.csx");
        var (exit, stdout, _) = Nas("script", "check", missing);
        exit.Should().Be(1);
        Lines(stdout).Should().Equal($"{missing}(1,1): error NAS0001: script file not found");
    }
}
