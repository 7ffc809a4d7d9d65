using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// `--swap`: how long from saving a script, or overwriting a plugin dll, until the new build is announced to running
/// races (StrategyCatalog.EntryReplaced). A racing contestant then switches at its next turn, after replaying its
/// history (the journal's `swap` line gives that replay time).
/// </summary>
internal static class SwapLatency
{
    public static void Run(string scriptSource)
    {
        string folder = Directory.CreateTempSubdirectory("nas-swap-bench-").FullName;
        try
        {
            Console.WriteLine(
                $"script save -> new version announced (debounce {ScriptCatalog.DefaultDebounce.TotalMilliseconds} ms), 10 saves:"
            );
            Report(ScriptSaves(folder, scriptSource, 10));
            Console.WriteLine(
                "plugin dll overwritten -> new build announced (McMaster reload delay 200 ms), 5 rebuilds:"
            );
            Report(PluginRebuilds(folder, 5));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static void Report(List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        Console.WriteLine(
            $"  median {sorted[sorted.Length / 2]:0} ms, min {sorted[0]:0}, max {sorted[^1]:0}  [{string.Join(" ", ms.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))}]"
        );
    }

    private static List<double> ScriptSaves(string folder, string source, int saves)
    {
        string path = Path.Combine(folder, Path.GetFileName(source));
        string text = File.ReadAllText(source);
        File.WriteAllText(path, text);
        var strategies = new StrategyCatalog();
        using var scripts = new ScriptCatalog(
            new ScriptCompiler(cacheFolder: null),
            strategies,
            OperationRegistry.CreateDefault()
        );
        if (!scripts.Load(path))
            throw new InvalidOperationException(string.Join("\n", scripts.Errors.Select(e => e.Message)));
        scripts.Watch();
        return Measure(strategies, saves, i => File.WriteAllText(path, text + $"\n// save {i}\n"));
    }

    private static List<double> PluginRebuilds(string folder, int rebuilds)
    {
        string pack = Path.Combine(folder, "plugins", "SwapPack");
        Directory.CreateDirectory(pack);
        string dll = Path.Combine(pack, "SwapPack.dll");
        File.WriteAllBytes(dll, CompilePlugin(0));
        var strategies = new StrategyCatalog();
        using var plugins = PluginCatalog.Load(
            [new PluginDirectory(Path.GetDirectoryName(pack)!, StrategySource.PluginFolder)],
            strategies
        );
        var images = Enumerable.Range(1, rebuilds).Select(CompilePlugin).ToArray(); // compiled up front: `dotnet build` time is not ours
        return Measure(strategies, rebuilds, i => File.WriteAllBytes(dll, images[i]));
    }

    private static List<double> Measure(StrategyCatalog strategies, int count, Action<int> change)
    {
        var result = new List<double>();
        for (int i = 0; i < count; i++)
        {
            using var announced = new ManualResetEventSlim();
            void OnReplaced(StrategyEntry _) => announced.Set();
            strategies.EntryReplaced += OnReplaced;
            var clock = Stopwatch.StartNew();
            change(i);
            if (!announced.Wait(TimeSpan.FromSeconds(10)))
                throw new TimeoutException($"change {i} was not announced within 10 s");
            result.Add(clock.Elapsed.TotalMilliseconds);
            strategies.EntryReplaced -= OnReplaced;
            Thread.Sleep(300); // let watchers settle before the next change
        }
        return result;
    }

    private static byte[] CompilePlugin(int build)
    {
        string source = $$"""
            using System.Collections.Generic;
            using Nas.Sandbox.Abstractions;
            public sealed class SwapFactory : IStrategyFactory
            {
                public string Name => "swap-bench";
                public string Description => "build {{build}}";
                public IReadOnlyList<Knob> Knobs { get; } = new Knob[0];
                public IStrategy Create(KnobValues knobs) => new S();
            }
            public sealed class S : IStrategy
            {
                public Architecture Ask(SearchContext c) => c.Space.Sample(c.Random);
                public void Tell(Trial t) { }
            }
            """;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(IStrategy).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "SwapPack",
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var output = new MemoryStream();
        if (!compilation.Emit(output).Success)
            throw new InvalidOperationException("plugin source did not compile");
        return output.ToArray();
    }
}
