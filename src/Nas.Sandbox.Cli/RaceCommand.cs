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
        var watch = new Option<bool>("--watch") { Description = "recompile scripts when saved and swap contestants to the new version mid-race" };
        var json = CommonOptions.Json("print the summary as one JSON document on stdout");
        var resume = RaceResume.CreateOption();
        var command = new Command("race", "Race strategies head-to-head, headless: progress on stderr, leaderboard at the end.");
        options.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(json);
        command.Options.Add(resume);
        command.SetAction((result, cancellation) => CommonOptions.Guard(result.GetValue(options.Verbose), async () =>
        {
            string? resumed = result.GetValue(resume);
            if (resumed is not null) result = RaceResume.Reparse(command, result, resumed);
            using var race = options.Prepare(result, typeof(RaceCommand), resumed is null ? null : RaceResume.RecordedScripts(resumed));
            var host = race.Host;
            foreach (string warning in host.Warnings) Console.Error.WriteLine($"warning: {warning}");
            if (resumed is not null && RaceResume.ThreadCountChange(resumed, race.Settings) is { } threads) Console.Error.WriteLine($"warning: {threads}");
            using var writer = RaceResume.OpenJournal(resumed, race, result.GetValue(json), warning => Console.Error.WriteLine($"warning: {warning}"), out var resumePoint);
            if (writer is null) return 0; // the resumed race had finished
            race.TrainingData.Notice += notice => Console.Error.WriteLine($"warning: {notice}");
            var referee = new Referee(race.Space, race.Estimator, host.Strategies, writer, race.TrainingData, race.Isolation);
            var progress = new ProgressPrinter(Console.Error, race.Settings, perHeat: race.CheapTrials);
            referee.EventRaised += progress.Print;
            var league = new LeagueRecorder(race.League);
            league.Failed += message => Console.Error.WriteLine($"warning: {message}");
            referee.EventRaised += league.OnEvent;
            var statistics = new RaceStatistics();
            referee.EventRaised += statistics.OnEvent;
            if (result.GetValue(watch))
            {
                host.LoadScriptFolders(); // every script in the folders is watched, racing or not
                host.Scripts.Recompiled += progress.ScriptRecompiled;
                host.Scripts.Watch();
                host.WatchPacks(progress.PackChanged);
                Console.Error.WriteLine($"watching {host.Scripts.Scripts.Sum(s => s.SourceFiles.Count)} script file(s), the plugin folders and the installed packs for changes");
            }
            host.Plugins.Reloaded += progress.PluginReloaded;
            var summary = await referee.RunAsync(race.Settings, null, cancellation, resumePoint);

            bool asJson = result.GetValue(json);
            var leaderboardOut = asJson ? Console.Error : Console.Out;
            LeaderboardPrinter.Print(leaderboardOut, summary);
            if (race.Estimator is Nas.Sandbox.Core.Estimators.IHeldOutScores heldOut)
                leaderboardOut.Write(Environment.NewLine + statistics.Describe(race.Settings, heldOut.TestAccuracy));
            if (summary.Reference is not null)
            {
                var (csv, png) = ParetoExport.Save(writer.Path, summary);
                leaderboardOut.WriteLine($"pareto fronts: {csv} and {png}");
            }
            leaderboardOut.WriteLine($"journal: {writer.Path}");
            leaderboardOut.WriteLine($"league: {race.League.Path} (nas league shows the ratings)");
            if (asJson) Console.Out.WriteLine(JournalFormat.Summary(summary).ToString(Formatting.Indented));
            return 0;
        }));
        return command;
    }
}
