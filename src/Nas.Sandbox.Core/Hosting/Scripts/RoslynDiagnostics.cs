using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Turns Roslyn's diagnostics into <see cref="ScriptDiagnostic"/>s (errors and warnings only; hidden and info ones are
/// IDE hints), and replaces Roslyn's terse answer to <c>#r</c> with one that says what scripts can use instead.
/// </summary>
internal static class RoslynDiagnostics
{
    public static List<ScriptDiagnostic> Convert(
        IEnumerable<Diagnostic> diagnostics,
        IEnumerable<SyntaxTree> trees,
        string scriptPath
    )
    {
        var result = new List<ScriptDiagnostic>();
        var referenceLines = new HashSet<(string File, int Line)>();
        foreach (var tree in trees)
        foreach (var directive in ((CompilationUnitSyntax)tree.GetRoot()).GetReferenceDirectives())
        {
            var at = At(directive.GetLocation(), scriptPath);
            referenceLines.Add((at.File, at.Line));
            result.Add(
                new ScriptDiagnostic(
                    at.File,
                    at.Line,
                    at.Column,
                    ScriptDiagnostic.Error,
                    ScriptDiagnosticCodes.ReferenceNotSupported,
                    $"#r {directive.File.Text} is not supported: scripts compile against the contracts (Nas.Sandbox.Abstractions, Nas.Sandbox.Abstractions.Torch), TorchSharp and the .NET "
                        + "base library only, with no #r. Put code that needs other assemblies or NuGet packages in a plugin pack."
                )
            );
        }

        // The script's own problems first, then those of the files it loads; each in source order.
        foreach (
            var d in diagnostics
                .OrderBy(d => d.Location.SourceTree?.FilePath == scriptPath ? 0 : 1)
                .ThenBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                .ThenBy(d => d.Location.SourceSpan.Start)
        )
        {
            if (d.Severity is not (DiagnosticSeverity.Error or DiagnosticSeverity.Warning))
                continue;
            var at = At(d.Location, scriptPath);
            if (referenceLines.Contains((at.File, at.Line)))
                continue; // already explained above
            result.Add(
                new ScriptDiagnostic(
                    at.File,
                    at.Line,
                    at.Column,
                    d.Severity == DiagnosticSeverity.Error ? ScriptDiagnostic.Error : ScriptDiagnostic.Warning,
                    d.Id,
                    d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)
                )
            );
        }
        return result;
    }

    /// <summary>File and 1-based position of a location; diagnostics without one are pinned to the script's start.</summary>
    public static (string File, int Line, int Column) At(Location location, string scriptPath)
    {
        if (!location.IsInSource)
            return (scriptPath, 1, 1);
        var span = location.GetMappedLineSpan();
        string file = string.IsNullOrEmpty(span.Path) ? scriptPath : span.Path;
        return (file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
    }
}
