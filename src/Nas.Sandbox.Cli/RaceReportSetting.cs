using Nas.Sandbox.Core;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>NAS_RACE_REPORT</c>: whether <c>nas race</c> writes its HTML report at the end (<c>on</c>, the default) or not
/// (<c>off</c>). Drawing the charts costs about 0.3 s of CPU a race, a third of a small table race's
/// (docs/benchmarks.md): a script running hundreds of races (or the test suite, which checks the report in its own
/// tests) can leave it to <c>nas report JOURNAL</c>, which writes the same page from the journal later.
/// </summary>
internal static class RaceReportSetting
{
    public const string Variable = "NAS_RACE_REPORT";

    /// <summary>Whether the race writes its report; a value other than on, off or empty is an error.</summary>
    public static bool WritesReport() =>
        Environment.GetEnvironmentVariable(Variable) switch
        {
            null or "" or "on" => true,
            "off" => false,
            var other => throw new NasException($"{Variable}={other}: expected on or off."),
        };
}
