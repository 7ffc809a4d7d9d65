using System.ComponentModel;
using System.Diagnostics;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Runs the .NET SDK's <c>dotnet</c> (the one running nas when there is one) as its user would from a shell, for
/// the commands that build or scaffold pack projects. Settings inherited from an enclosing MSBuild (nas run from a
/// build or a test host) are dropped: they would point the nested build at the wrong SDK pieces.
/// </summary>
public static class DotnetSdk
{
    /// <param name="purpose">What the run is for, for the error when dotnet cannot start, e.g. "nas pack new runs `dotnet new`".</param>
    public static (int Exit, string Out, string Err) Run(IReadOnlyList<string> arguments, string purpose)
    {
        string dotnet =
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
                ? host
                : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (
            string name in start
                .Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
                .ToArray()
        )
            start.Environment.Remove(name);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (Win32Exception e)
        {
            throw new NasException(
                $"{purpose}, but '{dotnet}' could not be started ({e.Message}). Install the .NET SDK and put dotnet on PATH."
            );
        }
    }
}
