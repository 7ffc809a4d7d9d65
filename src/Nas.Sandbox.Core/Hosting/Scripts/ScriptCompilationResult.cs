namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// What <see cref="ScriptCompiler.Compile"/> gives back: the loaded script on success, and every diagnostic either way
/// (warnings may come with a success). A failed compile holds no script and leaves nothing loaded.
/// </summary>
public sealed record ScriptCompilationResult(CompiledScript? Script, IReadOnlyList<ScriptDiagnostic> Diagnostics)
{
    public bool Success => Script is not null;

    public IEnumerable<ScriptDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
