using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Maps what exists at run time back to the script's source: an exception to the line that threw it, a type to its
/// declaration and to the accessibility the author wrote. Run-time failures then read like compile errors.
/// </summary>
internal sealed class ScriptSourceMap(string scriptPath, Compilation compilation, IReadOnlyList<SyntaxTree> trees)
{
    private readonly HashSet<string> _files = trees.Select(t => t.FilePath).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// True when the author declared the type public (and every type it is nested in, up to the script class).
    /// Reflection cannot tell: Roslyn emits every class declared in a script as a public nested type of the script
    /// class, whatever its modifiers, so <c>class Helper : IStrategy</c> would otherwise be published.
    /// </summary>
    public bool IsDeclaredPublic(Type type)
    {
        var symbol = type.FullName is { } name ? compilation.GetTypeByMetadataName(name) : null;
        if (symbol is null)
            return false;
        for (var t = symbol; t is not null && !t.IsScriptClass; t = t.ContainingType)
            if (t.DeclaredAccessibility != Accessibility.Public)
                return false;
        return true;
    }

    /// <summary>Where in the script's files the exception was thrown (its innermost such frame; the PDB is loaded), or null.</summary>
    public (string File, int Line, int Column)? Locate(Exception exception)
    {
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
            if (frame.GetFileName() is { } file && _files.Contains(file) && frame.GetFileLineNumber() > 0)
                return (file, frame.GetFileLineNumber(), Math.Max(1, frame.GetFileColumnNumber()));
        return null;
    }

    /// <summary>Where the type is declared, or the script's first line.</summary>
    public (string File, int Line, int Column) Locate(Type type)
    {
        foreach (var tree in trees)
        foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
            if (declaration.Identifier.ValueText == type.Name)
                return RoslynDiagnostics.At(declaration.Identifier.GetLocation(), scriptPath);
        return (scriptPath, 1, 1);
    }
}
