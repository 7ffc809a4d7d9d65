using System.Runtime.InteropServices;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>
/// How the CLI ends when a contestant call it abandoned (it overran <c>--call-timeout</c>) is still running after the
/// referee waited for it: a normal exit runs libtorch's static destructors while that thread may be inside libtorch,
/// which crashes the process (exit code 139) after a complete race. Everything is written and flushed by then, so the
/// process leaves with <c>_exit</c>, which skips native teardown; the OS reclaims the rest.
/// </summary>
internal static partial class NativeExit
{
    public static int Finish(int exitCode)
    {
        if (AbandonedCalls.Running == 0 || OperatingSystem.IsWindows())
            return exitCode;
        Console.Out.Flush();
        Console.Error.Flush();
        _exit(exitCode);
        return exitCode; // not reached
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void _exit(int status);
}
