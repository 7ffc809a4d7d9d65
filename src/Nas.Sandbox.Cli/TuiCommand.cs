using System.CommandLine;
using Nas.Sandbox.Core;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;
using Nas.Sandbox.Tui;

namespace Nas.Sandbox.Cli;

/// <summary>
/// <c>nas tui</c>: the same tournament as <c>nas race</c>, in the Terminal.Gui console. The referee runs on its own
/// task; the screen renders the tracker's snapshots and sends commands. Scripts and plugins are watched: a save
/// swaps the contestant live, a broken save shows its errors while the old version keeps racing.
/// </summary>
internal static class TuiCommand
{
    public static Command Create()
    {
        var options = new RaceOptions();
        // The console always watches scripts and plugins; --watch is accepted so that a race command line works as is.
        var watch = new Option<bool>("--watch")
        {
            Description = "always on in the console: saved scripts and rebuilt plugins swap live",
        };
        var json = CommonOptions.Json(
            "after quitting, print the summary of a finished race as one JSON document on stdout"
        );
        var command = new Command(
            "tui",
            "Race strategies head-to-head in the terminal console (same options as race)."
        );
        var resume = RaceResume.CreateOption();
        options.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(json);
        command.Options.Add(resume);
        command.SetAction(
            (result, cancellation) => CommonOptions.GuardAsync(result.GetValue(options.Verbose), async () =>
                {
                    if (!TournamentApp.HasTerminal())
                    {
                        Console.Error.WriteLine("error: nas tui needs a terminal; use nas race for a headless race.");
                        return 2;
                    }
                    var control = new RaceControl();
                    var tracker = new RaceTracker(control);
                    // Warnings are shown in the console's notices once it is up (stderr is hidden behind the screen while it runs).
                    using var session = RaceSession.Start(
                        command,
                        result,
                        options,
                        resume,
                        result.GetValue(json),
                        typeof(TuiCommand),
                        tracker.Warn
                    );
                    if (session is null)
                        return 0; // the resumed race had finished
                    var race = session.Race;
                    var host = race.Host;
                    var writer = session.Writer;
                    // The home's standing notices (a conflict left after the move, old folders not read) were printed before
                    // the screen opened; the migration is idempotent, so asking again gives them for the console.
                    foreach (string warning in NasHomeMigration.Run())
                        tracker.Warn(warning);
                    session.Referee.EventRaised += tracker.OnEvent;
                    ShowRatings(tracker, race.League, session.League);
                    host.Scripts.Recompiled += tracker.ScriptRecompiled;
                    host.Plugins.Reloaded += tracker.PluginReloaded;
                    host.Scripts.Watch();
                    host.WatchPacks(tracker.Inform);

                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                    var running = Task.Run(() => session.RunAsync(control, stop.Token));
                    _ = running.ContinueWith(
                        t => tracker.Fail(Describe(t.Exception!)),
                        TaskContinuationOptions.OnlyOnFaulted
                    );

                    string reportBase = Path.ChangeExtension(writer.Path, null);
                    TournamentApp.Run(tracker, quit => new TournamentController(
                        control,
                        tracker,
                        text =>
                            RaceOptions.Admit(
                                host,
                                ContestantSpec.Parse(text),
                                race.Settings.CallTimeout,
                                race.Isolation,
                                space: race.Space
                            ),
                        () =>
                        {
                            // The race statistics (anytime standings, paired tests) once the race has finished, as nas race prints them.
                            string? statistics = running.IsCompletedSuccessfully ? session.StatisticsText() : null;
                            var (markdown, csv) = RaceReport.Save(
                                reportBase,
                                tracker.Snapshot(),
                                tracker.AllTrials(),
                                writer.Path,
                                statistics,
                                host.ResolveSpace(race.Settings.Space).Provider.Draw
                            );
                            // The HTML report reads the journal, which a live race keeps open for readers; before the
                            // first finished trial there is nothing to chart, and that is said, not thrown.
                            try
                            {
                                return $"report saved: {markdown}, {csv} and {Report.RaceReport.Write(writer.Path, host)}";
                            }
                            catch (Exception e) when (e is NasException or IOException or UnauthorizedAccessException)
                            {
                                return $"report saved: {markdown} and {csv} (no HTML report: {e.Message})";
                            }
                        },
                        quit,
                        host.ResolveSpace(race.Settings.Space).Provider.Draw
                    ));

                    // The terminal is back. Stop the race if it is still running: the trial in progress is abandoned, every
                    // finished one is already in the journal.
                    if (!running.IsCompleted)
                        Console.Error.WriteLine("stopping the race…");
                    stop.Cancel();
                    try
                    {
                        var summary = await running;
                        session.ExportPareto(summary, Console.Error);
                        var leaderboardOut = result.GetValue(json) ? Console.Error : Console.Out;
                        LeaderboardPrinter.Print(leaderboardOut, summary);
                        if (session.StatisticsText() is { } statistics)
                            leaderboardOut.Write(Environment.NewLine + statistics);
                        if (result.GetValue(json))
                        {
                            Console.Error.WriteLine($"journal: {writer.Path}");
                            Console.Out.WriteLine(
                                JournalFormat.Summary(summary).ToString(Newtonsoft.Json.Formatting.Indented)
                            );
                            return 0;
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        var snapshot = tracker.Snapshot();
                        Console.Out.WriteLine($"race stopped after {snapshot.EvaluationsDone} evaluations.");
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        Console.Error.WriteLine($"error: the race stopped: {Describe(e)}");
                        Console.Out.WriteLine($"journal: {writer.Path}");
                        return 1;
                    }
                    Console.Out.WriteLine($"journal: {writer.Path}");
                    return 0;
                })
        );
        return command;
    }

    /// <summary>League ratings in the leaderboard: as the league file has them now, then after every heat this race records.</summary>
    private static void ShowRatings(RaceTracker tracker, LeagueFile file, LeagueRecorder recorder)
    {
        recorder.Recorded += standings => tracker.RatingOf = RatingsFrom(standings);
        try
        {
            tracker.RatingOf = RatingsFrom(file.Load());
        }
        catch (NasException e)
        {
            tracker.Warn($"{e.Message} (ratings are not shown)");
        }
    }

    private static Func<ContestantInfo, double?> RatingsFrom(LeagueStandings standings) =>
        info => standings.Find(LeagueKey.Of(info))?.Rating;

    private static string Describe(Exception e) =>
        (e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e).Message;
}
