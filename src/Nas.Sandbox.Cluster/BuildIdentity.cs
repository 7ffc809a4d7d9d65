using System.Reflection;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Cluster;

/// <summary>Which build a process is: a race and its workers must be the same build and contracts version.</summary>
public static class BuildIdentity
{
    /// <summary>The core assembly's informational version (with the source revision when the build recorded one).</summary>
    public static string Build { get; } =
        typeof(Core.Racing.Referee)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion
        ?? typeof(Core.Racing.Referee).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static string Api { get; } = ApiVersion.Current.ToString(2);
}
