using System.CommandLine;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Cli;

/// <summary>
/// A race set up for <c>nas race</c> and <c>nas tui</c> alike, through one path: the options rebuilt from the journal
/// when resuming, the race prepared (<see cref="RaceOptions.Prepare"/>), the journal opened (new, or resumed under its
/// lock), the referee built, and the league, the race statistics and the host's warnings hooked up. Each command keeps
/// only its presentation: it hooks its own listeners to <see cref="Referee"/>, runs it, and shows the result.
/// </summary>
internal sealed class RaceSession : IDisposable
{
    private RaceSession(
        PreparedRace race,
        JournalWriter writer,
        ResumePoint? resumePoint,
        Referee referee,
        LeagueRecorder league,
        RaceStatistics statistics
    )
    {
        (Race, Writer, ResumePoint, Referee, League, Statistics) = (
            race,
            writer,
            resumePoint,
            referee,
            league,
            statistics
        );
    }

    public PreparedRace Race { get; }
    public JournalWriter Writer { get; }

    /// <summary>Where a resumed race goes on from; null for a new race.</summary>
    public ResumePoint? ResumePoint { get; }
    public Referee Referee { get; }

    /// <summary>Records every finished heat in the league (its failures are warnings).</summary>
    public LeagueRecorder League { get; }

    /// <summary>Anytime standings and paired tests over heats (<see cref="StatisticsText"/>).</summary>
    public RaceStatistics Statistics { get; }

    /// <summary>
    /// Sets the race up. <paramref name="warn"/> hears every warning (the host's, a resume's, the league's); with
    /// <paramref name="json"/>, a resumed race that had finished prints its recorded summary. Null when there is nothing
    /// to run: the resumed race had finished (said on stderr).
    /// </summary>
    public static RaceSession? Start(
        Command command,
        ParseResult result,
        RaceOptions options,
        Option<string?> resume,
        bool json,
        Type hostType,
        Action<string> warn
    )
    {
        string? resumed = result.GetValue(resume);
        if (resumed is not null)
            result = RaceResume.Reparse(command, result, resumed);
        var race = options.Prepare(result, hostType, resumed is null ? null : RaceResume.RecordedScripts(resumed));
        try
        {
            foreach (string warning in race.Host.Warnings)
                warn(warning);
            if (resumed is not null && RaceResume.ThreadCountChange(resumed, race.Settings) is { } threads)
                warn(threads);
            var writer = RaceResume.OpenJournal(resumed, race, json, warn, out var resumePoint);
            if (writer is null)
            {
                race.Dispose();
                return null;
            }
            // Operations a supernet cannot build its search way (a plugin's), said once each.
            race.TrainingData.Notice += warn;
            var referee = new Referee(
                race.Space,
                race.Estimator,
                race.Host.Strategies,
                writer,
                race.TrainingData,
                race.Isolation
            );
            var league = new LeagueRecorder(race.League);
            league.Failed += warn;
            referee.EventRaised += league.OnEvent;
            var statistics = new RaceStatistics();
            referee.EventRaised += statistics.OnEvent;
            return new RaceSession(race, writer, resumePoint, referee, league, statistics);
        }
        catch
        {
            race.Dispose();
            throw;
        }
    }

    /// <summary>Runs the race (from <see cref="ResumePoint"/> when resuming); <paramref name="control"/> takes the console's commands.</summary>
    public Task<RaceSummary> RunAsync(RaceControl? control, CancellationToken cancellation) =>
        Referee.RunAsync(Race.Settings, control, ResumePoint, cancellation);

    /// <summary>
    /// The anytime standings and the paired Wilcoxon tests over heats, as <c>nas race</c> prints them at the end; null
    /// when the estimator knows no held-out (test) accuracy to compare by (only a table does).
    /// </summary>
    public string? StatisticsText() =>
        Race.Estimator is IHeldOutScores heldOut ? Statistics.Describe(Race.Settings, heldOut.TestAccuracy) : null;

    /// <summary>
    /// Writes a Pareto race's fronts (CSV and PNG) beside the journal and says where on <paramref name="output"/>;
    /// nothing for a single-objective race. A failure to write them loses no result (the journal holds every trial and
    /// <c>nas pareto JOURNAL</c> writes them again), so it is a warning on stderr, not the race's error.
    /// </summary>
    public void ExportPareto(RaceSummary summary, TextWriter output)
    {
        if (summary.Reference is null)
            return;
        try
        {
            var (csv, png) = ParetoExport.Save(Writer.Path, summary);
            output.WriteLine($"pareto fronts: {csv} and {png}");
        }
        catch (Core.NasException e)
        {
            Console.Error.WriteLine($"warning: no Pareto fronts: {e.Message} (nas pareto {Writer.Path} writes them)");
        }
    }

    public void Dispose()
    {
        Writer.Dispose();
        Race.Dispose();
    }
}
