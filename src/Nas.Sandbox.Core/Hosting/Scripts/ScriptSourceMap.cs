using System.Diagnostics;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Maps what exists at run time back to the script's source: an exception to the line that threw it, a type to its
/// declaration and to the accessibility the author wrote. Run-time failures then read like compile errors. Built from a
/// <see cref="ScriptBuild"/>, so it works the same for a script compiled now and one loaded from the cache.
/// </summary>
internal sealed class ScriptSourceMap(string scriptPath, ScriptBuild build)
{
    private readonly HashSet<string> _files = build.Sources.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
    private readonly HashSet<string> _publicTypes = build.PublicTypes.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// True when the author declared the type public (and every type it is nested in, up to the script class).
    /// Reflection cannot tell: Roslyn emits every class declared in a script as a public nested type of the script
    /// class, whatever its modifiers, so <c>class Helper : IStrategy</c> would otherwise be published. The compiler
    /// records which types were declared public (<see cref="RoslynScriptBuilder"/>).
    /// </summary>
    public bool IsDeclaredPublic(Type type) => type.FullName is { } name && _publicTypes.Contains(name);

    /// <summary>Where in the script's files the exception was thrown (its innermost such frame; the PDB is loaded), or null.</summary>
    public (string File, int Line, int Column)? Locate(Exception exception)
    {
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
            if (frame.GetFileName() is { } file && _files.Contains(file) && frame.GetFileLineNumber() > 0)
                return (file, frame.GetFileLineNumber(), Math.Max(1, frame.GetFileColumnNumber()));
        return null;
    }

    /// <summary>Where the type is declared, or the script's first line.</summary>
    public (string File, int Line, int Column) Locate(Type type) =>
        build.Declarations.FirstOrDefault(d => d.Name == type.Name) is { } at
            ? (at.File, at.Line, at.Column)
            : (scriptPath, 1, 1);
}
