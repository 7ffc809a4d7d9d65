using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Tests;

/// <summary>Where the example scripts are, one shared compiler (it caches metadata references), and throw-away scripts.</summary>
internal static class ScriptTestKit
{
    /// <summary>Thread-safe and stateless apart from its reference cache: sharing it keeps the suite fast.</summary>
    public static ScriptCompiler Compiler { get; } = new();

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Nas.Sandbox.sln")))
                    return dir.FullName;
            throw new InvalidOperationException("repository root not found");
        }
    }

    public static string Example(string fileName) => Path.Combine(RepoRoot, "scripts", fileName);

    /// <summary>Compiles an example script and fails the test, listing the diagnostics, unless it compiled cleanly.</summary>
    public static CompiledScript CompileExample(string fileName)
    {
        var result = Compiler.Compile(Example(fileName));
        result.Diagnostics.Where(d => d.IsError).Should().BeEmpty(string.Join(Environment.NewLine, result.Diagnostics));
        return result.Script!;
    }
}

/// <summary>A temporary folder for scripts written by a test; deleted afterwards.</summary>
internal sealed class ScriptFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nas-scripts-").FullName;

    public string Write(string fileName, string text)
    {
        string path = System.IO.Path.Combine(Path, fileName);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
