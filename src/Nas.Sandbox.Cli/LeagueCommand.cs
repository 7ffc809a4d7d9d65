using System.CommandLine;
using System.Globalization;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Cli;

/// <summary><c>nas league</c>: the Elo ratings of strategies over every heat recorded in the league file.</summary>
internal static class LeagueCommand
{
    public static Command Create()
    {
        var league = CommonOptions.League();
        var json = CommonOptions.Json("print the league as one JSON document");
        var verbose = CommonOptions.Verbose();
        var command = new Command("league", "Ratings (Elo) of strategies across all races recorded in the league file.")
        {
            league,
            json,
            verbose,
        };
        command.SetAction((result, _) => CommonOptions.GuardAsync(result.GetValue(verbose), () =>
                {
                    var file = new LeagueFile(result.GetValue(league) ?? LeagueFile.DefaultPath());
                    var standings = file.Load();
                    if (result.GetValue(json))
                        Console.Out.WriteLine(Describe(file, standings).ToString(Formatting.Indented));
                    if (standings.IsEmpty)
                        (result.GetValue(json) ? Console.Error : Console.Out).WriteLine(
                            $"no heats recorded yet in {file.Path}"
                        );
                    else if (!result.GetValue(json))
                        Print(Console.Out, file, standings);
                    return Task.FromResult(0);
                }));
        return command;
    }

    internal static JObject Describe(LeagueFile file, LeagueStandings standings) =>
        new()
        {
            ["path"] = file.Path,
            ["heatsRecorded"] = standings.RecordedHeats.Count,
            ["players"] = new JArray(
                standings.Players.Select(
                    (p, i) =>
                        new JObject
                        {
                            ["rank"] = i + 1,
                            ["player"] = p.Key,
                            ["strategy"] = p.Strategy,
                            ["knobs"] = new JObject(p.Knobs.Select(k => new JProperty(k.Key, k.Value))),
                            ["rating"] = p.Rating,
                            ["heats"] = p.Heats,
                            ["wins"] = p.Wins,
                            ["draws"] = p.Draws,
                            ["losses"] = p.Losses,
                            ["bestAccuracy"] = p.BestAccuracy,
                            ["lastPlayed"] = p.LastPlayed,
                        }
                )
            ),
        };

    private static void Print(TextWriter output, LeagueFile file, LeagueStandings standings)
    {
        var c = CultureInfo.InvariantCulture;
        int width = Math.Max(6, standings.Players.Max(p => p.Key.Length));
        output.WriteLine(
            $"{"rank", 4}  {"player".PadRight(width)}  {"rating", 6}  {"heats", 5}  {"W-D-L", -12}  {"best acc", 8}  last played"
        );
        foreach (var (p, i) in standings.Players.Select((p, i) => (p, i)))
        {
            string record = $"{p.Wins}-{p.Draws}-{p.Losses}";
            string best = p.BestAccuracy?.ToString("0.0000", c) ?? "-";
            output.WriteLine(
                $"{i + 1, 4}  {p.Key.PadRight(width)}  {p.Rating.ToString("0", c), 6}  {p.Heats, 5}  {record, -12}  {best, 8}  {When(p.LastPlayed)}"
            );
        }
        output.WriteLine();
        output.WriteLine($"league: {file.Path}");
    }

    /// <summary>The stored UTC time to the second, as people read it; as stored when it is not a time.</summary>
    private static string When(string? lastPlayed) =>
        DateTime.TryParse(
            lastPlayed,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
            out var time
        )
            ? time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : lastPlayed ?? "-";
}
