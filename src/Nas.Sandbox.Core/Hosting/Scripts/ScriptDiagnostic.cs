namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// One problem found while compiling, loading or running a script, in the shape compilers print and editors parse:
/// <c>FILE(line,col): error CODE: message</c>. <see cref="File"/> is the full path of the file at fault (the script or
/// a file it <c>#load</c>-s); <see cref="Line"/> and <see cref="Column"/> are 1-based; <see cref="Severity"/> is
/// <c>error</c> or <c>warning</c>; <see cref="Code"/> is Roslyn's (<c>CS1002</c>) or ours (<c>NAS0002</c>, see
/// <see cref="ScriptDiagnosticCodes"/>).
/// </summary>
public sealed record ScriptDiagnostic(string File, int Line, int Column, string Severity, string Code, string Message)
{
    public const string Error = "error",
        Warning = "warning";

    public bool IsError => Severity == Error;

    public override string ToString() => $"{File}({Line},{Column}): {Severity} {Code}: {Message}";
}
