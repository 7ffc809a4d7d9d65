namespace Nas.Sandbox.Abstractions;

/// <summary>The version of this contract assembly. Plugins built against another major version are refused.</summary>
public static class ApiVersion
{
    /// <summary>Kept equal to the assembly's frozen AssemblyVersion (major.minor).</summary>
    public static readonly Version Current = new(1, 0);
}
