using System.Text;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting.Scripts;
using Xunit.Abstractions;

namespace Nas.Sandbox.Tests;

/// <summary>Bad scripts come back as diagnostics that name the file and line, never as exceptions.</summary>
public sealed class ScriptDiagnosticsTests(ITestOutputHelper output) : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ScriptCompilationResult Compile(string path)
    {
        var result = ScriptTestKit.Compiler.Compile(path);
        foreach (var d in result.Diagnostics)
            output.WriteLine(d.ToString());
        return result;
    }

    private const string Strategy = """
        public sealed class Sampler : IStrategy
        {
            public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);
            public void Tell(Trial trial) { }
        }
        """;

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column()
    {
        string path = _folder.Write("broken.csx", "// a comment\nvar x = 1\nvar y = 2;\n");
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        error.Should().Be(new ScriptDiagnostic(path, 2, 10, "error", "CS1002", "; expected"));
        error.ToString().Should().Be($"{path}(2,10): error CS1002: ; expected");
    }

    [Fact]
    public void A_type_error_names_the_right_line()
    {
        string path = _folder.Write("typo.csx", Strategy + "\n\nint count = \"three\";\n");
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        error.Code.Should().Be("CS0029");
        (error.File, error.Line, error.Column).Should().Be((path, 7, 13));
        error
            .ToString()
            .Should()
            .StartWith($"{path}(7,13): error CS0029: Cannot implicitly convert type 'string' to 'int'");
    }

    [Fact]
    public void Warnings_do_not_stop_a_script()
    {
        string path = _folder.Write("warned.csx", Strategy + "\n#warning remember to tune this\n");
        var result = Compile(path);
        using var script = result.Script;
        result.Success.Should().BeTrue();
        result
            .Diagnostics.Should()
            .ContainSingle()
            .Which.Should()
            .Match<ScriptDiagnostic>(d => d.Severity == "warning" && d.Code == "CS1030" && d.Line == 6);
    }

    [Fact]
    public void A_script_that_defines_nothing_gets_NAS0002()
    {
        string path = _folder.Write(
            "empty.csx",
            "var answer = 6 * 7;\nclass Hidden : IStrategy { public Architecture Ask(SearchContext c) => null!; public void Tell(Trial t) { } }\n"
        );
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle().Which;
        (error.File, error.Severity, error.Code).Should().Be((path, "error", ScriptDiagnosticCodes.NothingDefined));
        error.Message.Should().Contain("defines no strategy, estimator or operation");
    }

    [Fact]
    public void A_constructor_that_throws_is_an_error_naming_the_type_and_the_line()
    {
        string path = _folder.Write(
            "stillborn.csx",
            """
            public sealed class Stillborn : IEstimator
            {
                public Stillborn()
                {
                    throw new InvalidOperationException("no GPU today");
                }
                public string Name => "stillborn";
                public Task<EvaluationResult> EvaluateAsync(Architecture a, EvaluationRequest r, CancellationToken c) => throw new NotImplementedException();
            }
            """
        );
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle().Which;
        (error.File, error.Line, error.Code).Should().Be((path, 5, ScriptDiagnosticCodes.ConstructorThrew));
        error
            .Message.Should()
            .Contain("'Stillborn'")
            .And.Contain("InvalidOperationException")
            .And.Contain("no GPU today");
    }

    [Fact]
    public void A_strategy_class_whose_constructor_throws_is_caught_at_compile_time()
    {
        string path = _folder.Write(
            "fragile.csx",
            Strategy.Replace(
                "public void Tell",
                "public Sampler() => throw new ArgumentException(\"bad\");\n    public void Tell"
            )
        );
        var result = Compile(path);
        result.Success.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle().Which.Code.Should().Be(ScriptDiagnosticCodes.ConstructorThrew);
    }

    [Fact]
    public void A_script_that_throws_while_running_is_an_error_at_the_throwing_line()
    {
        string path = _folder.Write(
            "thrower.csx",
            Strategy + "\nvar table = new Dictionary<string, int>();\nConsole.Error.Write(table[\"missing\"]);\n"
        );
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle().Which;
        (error.Line, error.Code).Should().Be((7, ScriptDiagnosticCodes.EvaluationThrew));
        error.Message.Should().Contain("KeyNotFoundException").And.Contain("missing");
    }

    [Fact]
    public void A_missing_file_is_NAS0001()
    {
        string path = Path.Combine(_folder.Path, "nowhere.csx");
        var result = Compile(path);
        result.Success.Should().BeFalse();
        result
            .Diagnostics.Should()
            .ContainSingle()
            .Which.Should()
            .Be(new ScriptDiagnostic(path, 1, 1, "error", "NAS0001", "script file not found"));
    }

    [Fact]
    public void A_folder_is_NAS0001_saying_it_is_a_folder()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder.Path, "looks-like.csx")).FullName;
        Compile(folder)
            .Diagnostics.Should()
            .ContainSingle()
            .Which.Should()
            .Be(new ScriptDiagnostic(folder, 1, 1, "error", "NAS0001", "this is a folder, not a script file"));
    }

    [Fact]
    public void A_file_that_is_not_utf8_is_NAS0001_at_its_first_bad_byte()
    {
        string path = Path.Combine(_folder.Path, "latin1.csx");
        File.WriteAllBytes(path, [.. "var x = 1;\n// caf"u8, 0xE9, .. "\n"u8, .. Encoding.UTF8.GetBytes(Strategy)]);
        var result = Compile(path);
        result.Success.Should().BeFalse();
        result
            .Diagnostics.Should()
            .ContainSingle()
            .Which.Should()
            .Be(
                new ScriptDiagnostic(
                    path,
                    2,
                    7,
                    "error",
                    "NAS0001",
                    "the file is not valid UTF-8: byte 0xE9 at byte offset 17 (line 2, column 7); save it as UTF-8"
                )
            );
    }

    [Fact]
    public void A_byte_order_mark_is_utf8_and_columns_count_characters_after_it()
    {
        string path = Path.Combine(_folder.Path, "marked.csx");
        byte[] strategy = Encoding.UTF8.GetBytes(Strategy);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "// café\n"u8, .. strategy]);
        Compile(path).Success.Should().BeTrue();

        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "// café "u8, 0xFF, .. "\n"u8, .. strategy]);
        var error = Compile(path).Diagnostics.Should().ContainSingle().Which;
        (error.Line, error.Column, error.Code).Should().Be((1, 9, "NAS0001"));
        error
            .Message.Should()
            .Be("the file is not valid UTF-8: byte 0xFF at byte offset 12 (line 1, column 9); save it as UTF-8");
    }

    [Fact]
    public void A_loaded_file_that_is_not_utf8_is_an_error_at_the_load_naming_it()
    {
        string lib = Path.Combine(_folder.Path, "lib", "helper.csx");
        Directory.CreateDirectory(Path.GetDirectoryName(lib)!);
        File.WriteAllBytes(lib, [.. "// caf"u8, 0xE9, .. "\npublic static class Helper { }\n"u8]);
        string path = _folder.Write("main.csx", "// helpers\n#load \"lib/helper.csx\"\n" + Strategy);
        var error = Compile(path).Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        (error.File, error.Line, error.Code).Should().Be((path, 2, "CS1504"));
        error
            .Message.Should()
            .Contain(lib)
            .And.Contain("the file is not valid UTF-8: byte 0xE9 at byte offset 6 (line 1, column 7)");
    }

    [Fact]
    public void A_missing_load_names_the_load_line()
    {
        string path = _folder.Write("loader.csx", "// helpers\n#load \"lib/absent.csx\"\n" + Strategy);
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        (error.File, error.Line).Should().Be((path, 2));
        error.Message.Should().Contain("absent.csx");
    }

    [Fact]
    public void An_error_in_a_loaded_file_names_that_file()
    {
        string lib = _folder.Write(
            Path.Combine("lib", "helper.csx"),
            "public static class Helper\n{\n    public static int Twice(int x) => x * undefined;\n}\n"
        );
        string path = _folder.Write("main.csx", "#load \"lib/helper.csx\"\n" + Strategy);
        var result = Compile(path);
        var error = result.Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        (error.File, error.Line, error.Code).Should().Be((lib, 3, "CS0103"));
    }

    [Fact]
    public void A_nuget_reference_is_refused_with_an_explanation()
    {
        string path = _folder.Write("nuget.csx", "#r \"nuget: MathNet.Numerics, 5.0.0\"\n" + Strategy);
        var result = Compile(path);
        result.Success.Should().BeFalse();
        var error = result.Diagnostics.Should().ContainSingle(d => d.IsError).Which;
        (error.Line, error.Code).Should().Be((1, ScriptDiagnosticCodes.ReferenceNotSupported));
        error.Message.Should().Contain("#r").And.Contain("not supported").And.Contain("plugin");
    }

    [Fact]
    public void The_final_expression_is_published_too()
    {
        string path = _folder.Write(
            "inline.csx",
            """
            sealed class Factory(string name) : IStrategyFactory
            {
                public string Name => name;
                public string Description => "made by the script's last expression";
                public IReadOnlyList<Knob> Knobs => [];
                public IStrategy Create(KnobValues knobs) => throw new NotSupportedException();
            }
            new Factory("from-" + "expression")
            """
        );
        using var script = Compile(path).Script;
        script.Should().NotBeNull();
        script!.Strategies.Select(s => s.Name).Should().Equal("from-expression");
    }

    [Fact]
    public void A_final_strategy_instance_that_cannot_be_recreated_is_refused()
    {
        string path = _folder.Write(
            "instance.csx",
            Strategy.Replace("public sealed class", "sealed class") + "\nnew Sampler()\n"
        );
        var result = Compile(path);
        result.Success.Should().BeFalse();
        result.Diagnostics.Should().ContainSingle().Which.Code.Should().Be(ScriptDiagnosticCodes.StrategyInstance);
    }

    [Fact]
    public void The_version_follows_the_text_of_the_script_and_of_what_it_loads()
    {
        string lib = _folder.Write(
            Path.Combine("lib", "constants.csx"),
            "public static class Constants { public const int Size = 3; }\n"
        );
        string path = _folder.Write("versioned.csx", "#load \"lib/constants.csx\"\n" + Strategy);
        string Version()
        {
            using var s = Compile(path).Script!;
            return s.Version;
        }
        string first = Version();
        Version().Should().Be(first);
        File.AppendAllText(lib, "// edited\n");
        Version().Should().NotBe(first);
    }
}
