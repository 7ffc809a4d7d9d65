using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Reads, without loading it, which version of the contracts assembly a plugin was compiled against. A plugin is
/// compatible when the major versions match and its minor version is not newer than the host's.
/// </summary>
public static class PluginApiCheck
{
    public static readonly string ContractsAssemblyName = typeof(IStrategy).Assembly.GetName().Name!;

    /// <summary>The contracts version the assembly references, or null when it does not reference the contracts.</summary>
    public static Version? ReferencedApiVersion(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        return ReferencedApiVersion(stream, assemblyPath);
    }

    /// <summary>The same, from an assembly's bytes (a plugin still inside a pack); <paramref name="name"/> is for errors.</summary>
    public static Version? ReferencedApiVersion(Stream assembly, string name)
    {
        using var pe = new PEReader(assembly, PEStreamOptions.LeaveOpen);
        if (!pe.HasMetadata) throw new BadImageFormatException($"{name} is not a .NET assembly.");
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.GetString(reference.Name) == ContractsAssemblyName) return reference.Version;
        }
        return null;
    }

    /// <summary>Null when compatible, otherwise the reason, naming the plugin, its API version and ours.</summary>
    public static string? Incompatibility(string pluginName, Version? pluginApi)
    {
        var host = ApiVersion.Current;
        if (pluginApi is null) return $"Plugin '{pluginName}' does not reference {ContractsAssemblyName}: it provides nothing this host can use.";
        if (pluginApi.Major != host.Major || pluginApi.Minor > host.Minor)
            return $"Plugin '{pluginName}' was built against Nas.Sandbox API {pluginApi.Major}.{pluginApi.Minor}; this host provides API {host.Major}.{host.Minor}. Rebuild the plugin against API {host.Major}.{host.Minor}.";
        return null;
    }
}
