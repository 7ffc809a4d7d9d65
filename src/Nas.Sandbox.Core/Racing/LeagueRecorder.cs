using System.Globalization;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// Feeds a race's finished heats into a <see cref="LeagueFile"/>: <c>referee.EventRaised += recorder.OnEvent</c>.
/// It learns the contestants from <see cref="RaceStarted"/> (and from <see cref="Register"/> for contestants added
/// later) and records each <see cref="HeatFinished"/> under the id "race start time / seed / heat", which a resumed
/// race reproduces, so no heat is counted twice.
/// <para>The league is a side show: a league file that cannot be read or written must not stop the race. Such
/// errors are reported through <see cref="Failed"/> and the race goes on.</para>
/// </summary>
public sealed class LeagueRecorder
{
    private readonly LeagueFile _file;
    private readonly object _gate = new();
    private readonly Dictionary<string, ContestantInfo> _contestants = new(StringComparer.Ordinal);
    private string? _raceId;

    public LeagueRecorder(LeagueFile file) => _file = file;

    /// <summary>A heat could not be recorded; the message says why (and names the league file).</summary>
    public event Action<string>? Failed;

    /// <summary>A heat was recorded; the league as it is now, for views that show ratings.</summary>
    public event Action<LeagueStandings>? Recorded;

    public LeagueFile LeagueFile => _file;

    /// <summary>Makes a contestant known by its label, e.g. one added to the race after it started.</summary>
    public void Register(ContestantInfo contestant)
    {
        lock (_gate)
            _contestants[contestant.Label] = contestant;
    }

    public void OnEvent(RaceEvent raceEvent)
    {
        switch (raceEvent)
        {
            case RaceStarted started:
                lock (_gate)
                {
                    // A new race, a new roster.
                    _contestants.Clear();
                    foreach (var contestant in started.Contestants)
                        _contestants[contestant.Label] = contestant;
                    _raceId =
                        $"{Utc(started.Time).ToString("O", CultureInfo.InvariantCulture)}/seed={started.Settings.Seed.ToString(CultureInfo.InvariantCulture)}";
                }
                break;
            case ContestantAdded added:
                Register(added.Contestant);
                break;
            case HeatFinished finished:
                Record(finished);
                break;
        }
    }

    /// <summary>The id of a heat of the race last started; null before any race started.</summary>
    public string? HeatId(int heat)
    {
        lock (_gate)
            return _raceId is null ? null : $"{_raceId}/heat={heat.ToString(CultureInfo.InvariantCulture)}";
    }

    private void Record(HeatFinished finished)
    {
        string? heatId = HeatId(finished.Heat);
        if (heatId is null)
        {
            Failed?.Invoke($"league: heat {finished.Heat} finished before the race start was seen; it was not rated.");
            return;
        }
        var results = new List<(ContestantInfo, double?)>();
        var unknown = new List<string>();
        lock (_gate)
        {
            foreach (var standing in finished.Standings)
                if (_contestants.TryGetValue(standing.Contestant, out var info))
                    results.Add((info, standing.BestObjective ?? standing.BestValidationAccuracy));
                else
                    unknown.Add(standing.Contestant);
        }
        if (unknown.Count > 0)
            Failed?.Invoke(
                $"league: heat {finished.Heat}: unknown contestant(s) {string.Join(", ", unknown)} left out of the ratings."
            );
        LeagueStandings standings;
        try
        {
            standings = _file.RecordHeat(heatId, results);
        }
        catch (Exception e)
        {
            // Whatever went wrong with the league file, the race itself is fine: report and go on.
            Failed?.Invoke(e is NasException ? e.Message : $"League file {_file.Path}: {e.Message}");
            return;
        }
        Recorded?.Invoke(standings);
    }

    private static DateTime Utc(DateTime time) =>
        time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
