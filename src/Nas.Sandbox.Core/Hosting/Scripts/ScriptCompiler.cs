using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Compiles a C# script (<c>.csx</c>) with Roslyn, loads it into its own collectible load context, runs its top-level
/// code and collects the strategies, estimators and operations it publishes (see <see cref="ScriptExports"/>).
/// Thread-safe; make one per host, since it caches the metadata references (see <see cref="ScriptReferences"/>).
/// </summary>
/// <remarks>
/// <para>Why not <c>CSharpScript.Create(...).RunAsync()</c>: Roslyn's script runner loads every compiled submission
/// into one load context of its own that is never unloaded, so a session that recompiles a script on every save leaks
/// an assembly per save. Here a script is a plain script compilation emitted to memory and loaded into a fresh
/// <see cref="ScriptLoadContext"/>, which <see cref="CompiledScript.Dispose"/> unloads.</para>
/// <para>What scripts get without any directive: the .NET base library, both contract assemblies (Nas.Sandbox.Abstractions
/// and Nas.Sandbox.Abstractions.Torch) and TorchSharp, the usings in <see cref="DefaultUsings"/>, nullable reference
/// types, the latest language version, and <c>#load</c> of other script files relative to the loading file. <c>#r</c>
/// is refused with an explanation.</para>
/// <para>Bad user code never throws out of <see cref="Compile"/>: a missing file, compile errors, a script that throws
/// while running, a constructor that throws, or a script that publishes nothing all come back as diagnostics naming
/// the file and line.</para>
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

    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions
        .Default.WithKind(SourceCodeKind.Script)
        .WithLanguageVersion(LanguageVersion.Latest);

    private static readonly CSharpCompilationOptions BaseOptions = new CSharpCompilationOptions(
        OutputKind.DynamicallyLinkedLibrary,
        usings: DefaultUsings,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        deterministic: true
    )
    // Assembly-version unification notes MSBuild also hides: noise to a script author.
    .WithSpecificDiagnosticOptions(
        new Dictionary<string, ReportDiagnostic>
        {
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        }
    );

    private static readonly EmitOptions PdbEmitOptions = new(
        debugInformationFormat: DebugInformationFormat.PortablePdb
    );

    private readonly Lazy<ImmutableArray<MetadataReference>> _references = new(
        ScriptReferences.Build,
        LazyThreadSafetyMode.ExecutionAndPublication
    );

    public ScriptCompilationResult Compile(string path)
    {
        string fullPath;
        SourceText text;
        try
        {
            fullPath = Path.GetFullPath(path);
            using var stream = File.OpenRead(fullPath);
            text = SourceText.From(stream, Encoding.UTF8, SourceHashAlgorithm.Sha256);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            string file = TryGetFullPath(path);
            string message = e is FileNotFoundException or DirectoryNotFoundException
                ? "script file not found"
                : $"cannot read the script: {e.Message}";
            return Failed(
                new ScriptDiagnostic(file, 1, 1, ScriptDiagnostic.Error, ScriptDiagnosticCodes.Unreadable, message)
            );
        }

        var tree = CSharpSyntaxTree.ParseText(text, ParseOptions, fullPath);
        var options = BaseOptions.WithSourceReferenceResolver(
            new SourceFileResolver(ImmutableArray<string>.Empty, Path.GetDirectoryName(fullPath))
        );
        string scriptName = Path.GetFileNameWithoutExtension(fullPath);
        // #load-ed files become syntax trees of this compilation: the script first, then what it loads.
        var compilation = CSharpCompilation.CreateScriptCompilation(
            AssemblyName(scriptName),
            tree,
            _references.Value,
            options,
            returnType: typeof(object)
        );
        var trees = compilation.SyntaxTrees.OrderBy(t => t == tree ? 0 : 1).ToArray();

        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emitted = compilation.Emit(pe, pdb, options: PdbEmitOptions);
        var diagnostics = RoslynDiagnostics.Convert(emitted.Diagnostics, trees, fullPath);
        if (!emitted.Success || diagnostics.Any(d => d.IsError))
            return new ScriptCompilationResult(null, diagnostics);

        var context = new ScriptLoadContext($"script {fullPath}");
        try
        {
            pe.Position = 0;
            pdb.Position = 0;
            var assembly = context.LoadFromStream(pe, pdb);
            var sources = new ScriptSourceMap(fullPath, compilation, trees);
            object? finalValue;
            try
            {
                finalValue = ScriptEntryPoint.Run(compilation, assembly);
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

            var exports = ScriptExports.Collect(assembly, finalValue, scriptName, sources);
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

            var files = trees.Select(t => t.FilePath).Distinct(StringComparer.Ordinal).ToArray();
            var script = new CompiledScript(
                fullPath,
                Version(trees),
                files,
                exports.Strategies,
                exports.Estimators,
                exports.Operations,
                exports.Spaces,
                context
            );
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

    /// <summary>SHA-256 over the texts of the script and the files it loads, in that order; first 8 hex digits.</summary>
    private static string Version(IEnumerable<SyntaxTree> trees)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var tree in trees)
            hash.AppendData(Encoding.UTF8.GetBytes(tree.GetText().ToString()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..8];
    }

    private static string AssemblyName(string scriptName) =>
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
