namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// What compiling a script produces, in a form that needs no Roslyn to load: the assembly and its PDB, the entry point,
/// what <see cref="ScriptSourceMap"/> needs to map run-time failures and types back to the source, and the compiler's
/// warnings. <see cref="RoslynScriptBuilder"/> makes one; <see cref="ScriptCache"/> keeps it, so a host that meets the
/// same script again loads it without starting the compiler (about 3 s of CPU for the shipped scripts, against 0.3 s).
/// </summary>
/// <param name="Version">First 8 hex digits of the SHA-256 of the texts of the script and the files it loads.</param>
/// <param name="Sources">The script and every file it <c>#load</c>-s, with the SHA-256 of the text compiled.</param>
/// <param name="Warnings">The compiler's warnings (a build with an error is never made into a <see cref="ScriptBuild"/>).</param>
internal sealed record ScriptBuild(
    byte[] Assembly,
    byte[] Pdb,
    string EntryType,
    string EntryMethod,
    string Version,
    IReadOnlyList<ScriptSourceFile> Sources,
    IReadOnlyList<string> PublicTypes,
    IReadOnlyList<ScriptTypeDeclaration> Declarations,
    IReadOnlyList<ScriptDiagnostic> Warnings
);

/// <summary>A file compiled into a script: its full path and the SHA-256 (hex) of the text the compiler read.</summary>
internal sealed record ScriptSourceFile(string Path, string TextSha256);

/// <summary>Where a type is declared (the first declaration of that name, the script before the files it loads).</summary>
internal sealed record ScriptTypeDeclaration(string Name, string File, int Line, int Column);
