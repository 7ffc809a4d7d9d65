using System.Reflection;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// Runs a compiled script's top-level code and returns the value of its final expression (null when it ends with a
/// statement). A script compilation has one entry point, the submission factory
/// <c>static Task&lt;object&gt; &lt;Factory&gt;(object[] submissionArray)</c>; the array holds the globals object (none
/// here) and the submission's own instance, hence length 2, as Roslyn's own script runner passes. The compiler names it
/// (<see cref="ScriptBuild.EntryType"/>, <see cref="ScriptBuild.EntryMethod"/>).
/// </summary>
internal static class ScriptEntryPoint
{
    public static object? Run(Assembly assembly, string typeName, string methodName)
    {
        var method = assembly
            .GetType(typeName, throwOnError: true)!
            .GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"Entry point {typeName}.{methodName} not found.");
        var factory = method.CreateDelegate<Func<object?[], Task<object?>>>();
        // On the thread pool: a script that awaits must not need the caller's synchronization context to finish.
        return Task.Run(() => factory(new object?[2])).GetAwaiter().GetResult();
    }
}
