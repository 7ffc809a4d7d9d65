using System.Reflection;
using System.Runtime.Loader;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// A collectible load context holding exactly one compiled script, so that a script edited a hundred times in a session
/// does not leave a hundred assemblies behind: once the host drops every object the script created and calls
/// <see cref="AssemblyLoadContext.Unload"/>, the GC reclaims it. <see cref="Load"/> resolves nothing itself, which makes
/// the runtime fall back to the default context for every reference: the contracts, TorchSharp and the BCL are the
/// host's own copies, so a script's <c>IStrategy</c> is the host's <c>IStrategy</c> (one type identity).
/// </summary>
internal sealed class ScriptLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;
}
