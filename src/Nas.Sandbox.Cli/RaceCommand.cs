using System.CommandLine;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas race</c>: a headless tournament. With no options, random search races regularized evolution on
/// Fashion-MNIST at the default training fidelity (about two minutes on 2 CPU cores).
/// </summary>
internal static class RaceCommand
{
    public static Command Create()
    {
        var options = new RaceOptions();
        var watch = new Option<bool>("--watch")
        {
            Description = "recompile scripts when saved and swap contestants to the new version mid-race",
        };
        var json = CommonOptions.Json("print the summary as one JSON document on stdout");
        var resume = RaceResume.CreateOption();
        var command = new Command(
            "race",
            "Race strategies head-to-head, headless: progress on stderr, leaderboard at the end."
        );
        options.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(json);
        command.Options.Add(resume);
        command.SetAction(
            (result, cancellation) => CommonOptions.GuardAsync(result.GetValue(options.Verbose), async () =>
                {
                    bool asJson = result.GetValue(json);
                    bool writeReport = RaceReportSetting.WritesReport(); // a bad value is refused before the race
                    using var session = RaceSession.Start(
                        command,
                        result,
                        options,
                        resume,
                        asJson,
                        typeof(RaceCommand),
                        warning => Console.Error.WriteLine($"warning: {warning}")
                    );
                    if (session is null)
                        return 0; // the resumed race had finished
                    var race = session.Race;
                    var host = race.Host;
                    var progress = new ProgressPrinter(Console.Error, race.Settings, perHeat: race.CheapTrials);
                    session.Referee.EventRaised += progress.Print;
                    if (result.GetValue(watch))
                    {
                        host.LoadScriptFolders(); // every script in the folders is watched, racing or not
                        host.Scripts.Recompiled += progress.ScriptRecompiled;
                        host.Scripts.Watch();
                        host.WatchPacks(progress.PackChanged);
                        Console.Error.WriteLine(
                            $"watching {host.Scripts.Scripts.Sum(s => s.SourceFiles.Count)} script file(s), the plugin folders and the installed packs for changes"
                        );
                    }
                    host.Plugins.Reloaded += progress.PluginReloaded;
                    var summary = await session.RunAsync(null, cancellation);

                    var leaderboardOut = asJson ? Console.Error : Console.Out;
                    LeaderboardPrinter.Print(leaderboardOut, summary);
                    if (session.StatisticsText() is { } statistics)
                        leaderboardOut.Write(Environment.NewLine + statistics);
                    session.ExportPareto(summary, leaderboardOut);
                    leaderboardOut.WriteLine($"journal: {session.Writer.Path}");
                    // The report reads the journal back; a failure to write it loses no result, so it is a warning.
                    if (!writeReport)
                        leaderboardOut.WriteLine(
                            $"report: not written ({RaceReportSetting.Variable}=off; nas report {session.Writer.Path} writes it)"
                        );
                    else
                        try
                        {
                            leaderboardOut.WriteLine($"report: {Report.RaceReport.Write(session.Writer.Path, host)}");
                        }
                        catch (Exception e) when (e is Core.NasException or IOException or UnauthorizedAccessException)
                        {
                            Console.Error.WriteLine($"warning: no HTML report: {e.Message}");
                        }
                    leaderboardOut.WriteLine($"league: {race.League.Path} (nas league shows the ratings)");
                    if (asJson)
                        Console.Out.WriteLine(JournalFormat.Summary(summary).ToString(Formatting.Indented));
                    return 0;
                })
        );
        return command;
    }
}
