using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Reads, without loading it, which version of the contracts a plugin was compiled against. A plugin is compatible
/// when the major versions match and its minor version is not newer than the host's. The contracts are two assemblies
/// of one version (<see cref="ApiVersion"/>): Nas.Sandbox.Abstractions and the tensor-based Nas.Sandbox.Abstractions.Torch.
/// A plugin may reference either or both (an operation pack may reference only the second); each reference is checked.
/// </summary>
public static class PluginApiCheck
{
    /// <summary>The contract assemblies, torch-free first: the host shares both with every plugin.</summary>
    public static readonly IReadOnlyList<string> ContractsAssemblyNames =
    [
        typeof(IStrategy).Assembly.GetName().Name!,
        typeof(IOperation).Assembly.GetName().Name!,
    ];

    /// <summary>
    /// The contracts version the assembly references, or null when it references neither contract assembly. When it
    /// references both at different versions (no build against one nas does), the one that decides: an incompatible one
    /// if any, otherwise the newer.
    /// </summary>
    public static Version? ReferencedApiVersion(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        return ReferencedApiVersion(stream, assemblyPath);
    }

    /// <summary>The same, from an assembly's bytes (a plugin still inside a pack); <paramref name="name"/> is for errors.</summary>
    public static Version? ReferencedApiVersion(Stream assembly, string name)
    {
        using var pe = new PEReader(assembly, PEStreamOptions.LeaveOpen);
        if (!pe.HasMetadata)
            throw new BadImageFormatException($"{name} is not a .NET assembly.");
        var metadata = pe.GetMetadataReader();
        var versions = new List<Version>();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (ContractsAssemblyNames.Contains(metadata.GetString(reference.Name)))
                versions.Add(reference.Version);
        }
        return versions.Count == 0 ? null : versions.OrderBy(v => IsCompatible(v)).ThenByDescending(v => v).First();
    }

    /// <summary>Null when compatible, otherwise the reason, naming the plugin, its API version and ours.</summary>
    public static string? Incompatibility(string pluginName, Version? pluginApi)
    {
        var host = ApiVersion.Current;
        if (pluginApi is null)
            return $"Plugin '{pluginName}' references neither {string.Join(" nor ", ContractsAssemblyNames)}: it provides nothing this host can use.";
        if (!IsCompatible(pluginApi))
            return $"Plugin '{pluginName}' was built against Nas.Sandbox API {pluginApi.Major}.{pluginApi.Minor}; this host provides API {host.Major}.{host.Minor}. Rebuild the plugin against API {host.Major}.{host.Minor}.";
        return null;
    }

    private static bool IsCompatible(Version pluginApi) =>
        pluginApi.Major == ApiVersion.Current.Major && pluginApi.Minor <= ApiVersion.Current.Minor;
}
