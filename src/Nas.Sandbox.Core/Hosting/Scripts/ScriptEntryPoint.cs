using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Runs a compiled script's top-level code and returns the value of its final expression (null when it ends with a
/// statement). A script compilation has one entry point, the submission factory
/// <c>static Task&lt;object&gt; &lt;Factory&gt;(object[] submissionArray)</c>; the array holds the globals object (none
/// here) and the submission's own instance, hence length 2, as Roslyn's own script runner passes.
/// </summary>
internal static class ScriptEntryPoint
{
    public static object? Run(Compilation compilation, Assembly assembly)
    {
        var entryPoint = compilation.GetEntryPoint(CancellationToken.None)
            ?? throw new InvalidOperationException("The script compilation has no entry point.");
        string typeName = entryPoint.ContainingNamespace.IsGlobalNamespace
            ? entryPoint.ContainingType.MetadataName
            : $"{entryPoint.ContainingNamespace.ToDisplayString()}.{entryPoint.ContainingType.MetadataName}";
        var method = assembly
            .GetType(typeName, throwOnError: true)!
            .GetMethod(entryPoint.MetadataName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"Entry point {typeName}.{entryPoint.MetadataName} not found.");
        var factory = method.CreateDelegate<Func<object?[], Task<object?>>>();
        // On the thread pool: a script that awaits must not need the caller's synchronization context to finish.
        return Task.Run(() => factory(new object?[2])).GetAwaiter().GetResult();
    }
}
