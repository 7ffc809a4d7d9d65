namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Compiles a C# script (<c>.csx</c>) with Roslyn (<see cref="RoslynScriptBuilder"/>), or takes its earlier build from
/// the <see cref="ScriptCache"/>, loads it into its own collectible load context, runs its top-level code and collects
/// the strategies, estimators and operations it publishes (see <see cref="ScriptExports"/>).
/// Thread-safe; make one per host, since its builder caches the metadata references (see <see cref="ScriptReferences"/>).
/// </summary>
/// <remarks>
/// <para>Why not <c>CSharpScript.Create(...).RunAsync()</c>: Roslyn's script runner loads every compiled submission
/// into one load context of its own that is never unloaded, so a session that recompiles a script on every save leaks
/// an assembly per save. Here a script is a plain script compilation emitted to memory and loaded into a fresh
/// <see cref="ScriptLoadContext"/>, which <see cref="CompiledScript.Dispose"/> unloads.</para>
/// <para>A script loaded from the cache is the same assembly, byte for byte (the compilation is deterministic), run the
/// same way: its top-level code runs and its classes are instantiated on every load, so a script that throws while
/// loading still says so, with its file and line (the PDB is kept too).</para>
/// <para>Bad user code never throws out of <see cref="Compile"/>: a missing file, a file that is not UTF-8, compile
/// errors, a script that throws while running, a constructor that throws, or a script that publishes nothing all come
/// back as diagnostics naming the file and line.</para>
/// </remarks>
public sealed class ScriptCompiler
{
    public static readonly IReadOnlyList<string> DefaultUsings =
    [
        "System",
        "System.Linq",
        "System.Collections.Generic",
        "System.Threading",
        "System.Threading.Tasks",
        "Nas.Sandbox.Abstractions",
    ];

    private readonly Lazy<RoslynScriptBuilder> _builder = new(LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ScriptCache? _cache;

    /// <summary>A compiler with the cache this process is configured for (<see cref="ScriptCache.FromEnvironment"/>).</summary>
    public ScriptCompiler()
        : this(ScriptCache.FromEnvironment()) { }

    /// <summary>A compiler whose cache is <paramref name="cacheFolder"/>, or none when null.</summary>
    public ScriptCompiler(string? cacheFolder)
        : this(cacheFolder is null ? null : new ScriptCache(Path.GetFullPath(cacheFolder))) { }

    private ScriptCompiler(ScriptCache? cache) => _cache = cache;

    public ScriptCompilationResult Compile(string path)
    {
        string fullPath;
        byte[] source;
        try
        {
            fullPath = Path.GetFullPath(path);
            source = File.ReadAllBytes(fullPath);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string file = TryGetFullPath(path);
            string message = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "script file not found",
                // Reading a folder is "access denied", which sends the user after permissions.
                UnauthorizedAccessException when Directory.Exists(file) => "this is a folder, not a script file",
                _ => $"cannot read the script: {e.Message}",
            };
            return Failed(
                new ScriptDiagnostic(file, 1, 1, ScriptDiagnostic.Error, ScriptDiagnosticCodes.Unreadable, message)
            );
        }
        // Before the cache: a build kept from before this check may hold a text the compiler had patched.
        if (ScriptText.InvalidUtf8(source) is { } invalid)
            return Failed(
                new ScriptDiagnostic(
                    fullPath,
                    invalid.Line,
                    invalid.Column,
                    ScriptDiagnostic.Error,
                    ScriptDiagnosticCodes.Unreadable,
                    invalid.Message
                )
            );

        string? key = _cache is null ? null : ScriptCache.Key(fullPath, source);
        if (key is not null && _cache!.TryLoad(key) is { } cached)
        {
            var loaded = Load(fullPath, cached, fromCache: true);
            if (loaded.Success)
                return loaded;
            // The script worked when it was kept; whatever fails now, the compiler's own build says it first hand.
            _cache.Remove(key);
        }

        var (build, diagnostics) = _builder.Value.Build(fullPath, source);
        if (build is null)
            return new ScriptCompilationResult(null, diagnostics);
        var result = Load(fullPath, build, fromCache: false);
        if (result.Success && key is not null)
            _cache!.Store(key, build);
        return result;
    }

    /// <summary>Loads a build into a fresh context, runs it and collects what it publishes; unloads it on any error.</summary>
    private static ScriptCompilationResult Load(string fullPath, ScriptBuild build, bool fromCache)
    {
        var diagnostics = build.Warnings.ToList();
        var context = new ScriptLoadContext($"script {fullPath}");
        try
        {
            using var pe = new MemoryStream(build.Assembly, writable: false);
            using var pdb = new MemoryStream(build.Pdb, writable: false);
            var assembly = context.LoadFromStream(pe, pdb);
            var sources = new ScriptSourceMap(fullPath, build);
            object? finalValue;
            try
            {
                finalValue = ScriptEntryPoint.Run(assembly, build.EntryType, build.EntryMethod);
            }
            catch (Exception e)
            {
                var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
                var at = sources.Locate(cause) ?? (fullPath, 1, 1);
                diagnostics.Add(
                    new ScriptDiagnostic(
                        at.File,
                        at.Line,
                        at.Column,
                        ScriptDiagnostic.Error,
                        ScriptDiagnosticCodes.EvaluationThrew,
                        $"the script threw {cause.GetType().Name} while running: {cause.Message}"
                    )
                );
                return Unload(context, diagnostics);
            }

            var exports = ScriptExports.Collect(
                assembly,
                finalValue,
                Path.GetFileNameWithoutExtension(fullPath),
                sources
            );
            diagnostics.AddRange(exports.Diagnostics);
            if (exports.IsEmpty && !diagnostics.Any(d => d.IsError))
                diagnostics.Add(
                    new ScriptDiagnostic(
                        fullPath,
                        1,
                        1,
                        ScriptDiagnostic.Error,
                        ScriptDiagnosticCodes.NothingDefined,
                        "the script defines no strategy, estimator or operation (nor search space): declare a public class implementing IStrategy, "
                            + "IStrategyFactory, IEstimator, IOperation or ISpaceProvider with a public parameterless constructor, or end the script with an instance of one."
                    )
                );
            if (diagnostics.Any(d => d.IsError))
                return Unload(context, diagnostics);

            var script = new CompiledScript(
                fullPath,
                build.Version,
                build.Sources.Select(s => s.Path).ToArray(),
                exports.Strategies,
                exports.Estimators,
                exports.Operations,
                exports.Spaces,
                context
            )
            {
                FromCache = fromCache,
            };
            return new ScriptCompilationResult(script, diagnostics);
        }
        catch (Exception e)
            when (e
                    is BadImageFormatException
                        or FileLoadException
                        or TypeLoadException
                        or System.Reflection.ReflectionTypeLoadException
                        or MissingMethodException
                        or InvalidOperationException
            )
        {
            diagnostics.Add(
                new ScriptDiagnostic(
                    fullPath,
                    1,
                    1,
                    ScriptDiagnostic.Error,
                    ScriptDiagnosticCodes.LoadFailed,
                    $"the compiled script could not be loaded: {e.GetType().Name}: {e.Message}"
                )
            );
            return Unload(context, diagnostics);
        }
    }

    /// <summary>The assembly name of a script's build: its file name, with what names cannot hold replaced.</summary>
    internal static string AssemblyName(string scriptName) =>
        "NasScript." + string.Concat(scriptName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_'));

    private static ScriptCompilationResult Failed(ScriptDiagnostic diagnostic) => new(null, [diagnostic]);

    private static ScriptCompilationResult Unload(ScriptLoadContext context, List<ScriptDiagnostic> diagnostics)
    {
        context.Unload();
        return new ScriptCompilationResult(null, diagnostics);
    }

    private static string TryGetFullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }
}
