using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Compiles a script with Roslyn into a <see cref="ScriptBuild"/>: a plain script compilation emitted to memory, with
/// what loading it needs later taken from the compilation now, so that loading needs no compiler. The one place that
/// touches Roslyn's compiler API: a host that finds every script in the cache never loads or JIT-compiles it.
/// </summary>
/// <remarks>
/// What scripts get without any directive: the .NET base library, both contract assemblies (Nas.Sandbox.Abstractions
/// and Nas.Sandbox.Abstractions.Torch) and TorchSharp, the usings in <see cref="ScriptCompiler.DefaultUsings"/>,
/// nullable reference types, the latest language version, and <c>#load</c> of other script files relative to the
/// loading file. <c>#r</c> is refused with an explanation. Thread-safe; it caches the metadata references (see
/// <see cref="ScriptReferences"/>).
/// </remarks>
internal sealed class RoslynScriptBuilder
{
    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions
        .Default.WithKind(SourceCodeKind.Script)
        .WithLanguageVersion(LanguageVersion.Latest);

    private static readonly CSharpCompilationOptions BaseOptions = new CSharpCompilationOptions(
        OutputKind.DynamicallyLinkedLibrary,
        usings: ScriptCompiler.DefaultUsings,
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
        () => [.. ScriptReferences.Paths().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))],
        LazyThreadSafetyMode.ExecutionAndPublication
    );

    /// <summary>The build, or null with at least one error among the diagnostics.</summary>
    public (ScriptBuild? Build, List<ScriptDiagnostic> Diagnostics) Build(string fullPath, byte[] source)
    {
        var text = SourceText.From(source, source.Length, Encoding.UTF8, SourceHashAlgorithm.Sha256);
        var tree = CSharpSyntaxTree.ParseText(text, ParseOptions, fullPath);
        var options = BaseOptions.WithSourceReferenceResolver(new Utf8FileResolver(Path.GetDirectoryName(fullPath)));
        // #load-ed files become syntax trees of this compilation: the script first, then what it loads.
        var compilation = CSharpCompilation.CreateScriptCompilation(
            ScriptCompiler.AssemblyName(Path.GetFileNameWithoutExtension(fullPath)),
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
        {
            // Errors with no place in the script's files (an empty script's, say) are dropped by Convert: say them, so a
            // failed compile never ends without a reason.
            if (!diagnostics.Any(d => d.IsError))
                diagnostics.Add(
                    new ScriptDiagnostic(
                        fullPath,
                        1,
                        1,
                        ScriptDiagnostic.Error,
                        ScriptDiagnosticCodes.NothingDefined,
                        emitted
                            .Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                            .Select(d => d.GetMessage(CultureInfo.InvariantCulture))
                            .DefaultIfEmpty(
                                "the script compiles to nothing (is it empty, or only comments?): a script publishes a strategy, estimator, operation or space"
                            )
                            .Aggregate((a, b) => $"{a}; {b}")
                    )
                );
            return (null, diagnostics);
        }

        if (compilation.GetEntryPoint(CancellationToken.None) is not { } entryPoint)
        {
            diagnostics.Add(
                new ScriptDiagnostic(
                    fullPath,
                    1,
                    1,
                    ScriptDiagnostic.Error,
                    ScriptDiagnosticCodes.LoadFailed,
                    "the compiled script could not be loaded: the script compilation has no entry point"
                )
            );
            return (null, diagnostics);
        }
        var build = new ScriptBuild(
            pe.ToArray(),
            pdb.ToArray(),
            MetadataName(entryPoint.ContainingType),
            entryPoint.MetadataName,
            Version(trees),
            trees
                .DistinctBy(t => t.FilePath, StringComparer.Ordinal)
                .Select(t => new ScriptSourceFile(t.FilePath, ScriptCache.TextSha256(t.GetText().ToString())))
                .ToArray(),
            PublicTypes(compilation),
            Declarations(trees, fullPath),
            diagnostics
        );
        return (build, diagnostics);
    }

    /// <summary>
    /// Reads a <c>#load</c>-ed file as the script itself is read: UTF-8 or an error (Roslyn's own resolver replaces invalid
    /// bytes with U+FFFD). An <see cref="IOException"/> here becomes Roslyn's error CS1504 at the <c>#load</c>, with our
    /// message (an <see cref="InvalidDataException"/> would become CS2015, "a binary file", without it).
    /// </summary>
    private sealed class Utf8FileResolver(string? baseDirectory)
        : SourceFileResolver(ImmutableArray<string>.Empty, baseDirectory)
    {
        public override SourceText ReadText(string resolvedPath)
        {
            byte[] source = File.ReadAllBytes(resolvedPath);
            return ScriptText.InvalidUtf8(source) is { } invalid
                ? throw new IOException(invalid.Message)
                : SourceText.From(source, source.Length, Encoding.UTF8, SourceHashAlgorithm.Sha256);
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

    /// <summary>
    /// The run-time names (<see cref="Type.FullName"/>) of the types the author declared public, with every type they
    /// are nested in up to the script class. Compiler-made types (closures, state machines) have no symbol, so they are
    /// never among them.
    /// </summary>
    private static string[] PublicTypes(Compilation compilation)
    {
        var result = new List<string>();
        void Walk(INamespaceOrTypeSymbol container)
        {
            foreach (var type in container.GetTypeMembers())
            {
                if (IsDeclaredPublic(type))
                    result.Add(MetadataName(type));
                Walk(type);
            }
            if (container is INamespaceSymbol ns)
                foreach (var inner in ns.GetNamespaceMembers())
                    Walk(inner);
        }
        Walk(compilation.Assembly.GlobalNamespace);
        return [.. result];
    }

    private static bool IsDeclaredPublic(INamedTypeSymbol symbol)
    {
        for (var t = symbol; t is not null && !t.IsScriptClass; t = t.ContainingType)
            if (t.DeclaredAccessibility != Accessibility.Public)
                return false;
        return true;
    }

    /// <summary>The name reflection gives the type: <c>Namespace.Outer+Inner`1</c>.</summary>
    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer ? $"{MetadataName(outer)}+{type.MetadataName}"
        : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? $"{ns.ToDisplayString()}.{type.MetadataName}"
        : type.MetadataName;

    private static ScriptTypeDeclaration[] Declarations(IEnumerable<SyntaxTree> trees, string scriptPath) =>
        trees
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
            .Select(declaration =>
            {
                var at = RoslynDiagnostics.At(declaration.Identifier.GetLocation(), scriptPath);
                return new ScriptTypeDeclaration(declaration.Identifier.ValueText, at.File, at.Line, at.Column);
            })
            .DistinctBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
}
