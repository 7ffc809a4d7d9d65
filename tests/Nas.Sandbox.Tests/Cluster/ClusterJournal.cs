using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>What the cluster tests read from a race's journal (while it is written, so files are opened shared).</summary>
internal static class ClusterJournal
{
    /// <summary>A tabular race of random search against <paramref name="rival"/>, 100 evaluations a heat, printing JSON.</summary>
    public static string[] TableRace(string journal, string rival, int heats, int seed, params string[] extra) =>
        [
            "race",
            "--estimator",
            "tabular",
            "--strategy",
            "random-search",
            "--strategy",
            rival,
            "--budget",
            "100",
            "--heats",
            heats.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seed",
            seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--json",
            "--journal",
            journal,
            .. extra,
        ];

    public static int Count(string journal, string marker) => RaceRun.CountLines(journal, marker);

    public sealed record JournaledTrial(string Key, string Arch, string Status, double Cost, string Message)
    {
        /// <summary>
        /// The seconds the message says a lost worker had spent ("… after w2 was lost after 3.2 s …"). A method, not a
        /// property, so that a failed assertion printing a trial does not throw on a message without that phrase.
        /// </summary>
        public double LostSeconds() =>
            double.Parse(
                Message.Split(" was lost after ")[1].Split(' ')[0],
                System.Globalization.CultureInfo.InvariantCulture
            );
    }

    public static List<JournaledTrial> Trials(string journal)
    {
        using var stream = new FileStream(journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var trials = new List<JournaledTrial>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.Contains("\"type\":\"trial\"", StringComparison.Ordinal))
                continue;
            var trial = JObject.Parse(line);
            trials.Add(
                new JournaledTrial(
                    $"{trial["contestant"]}/{trial["heat"]}/{trial["index"]}",
                    (string)trial["arch"]!,
                    (string)trial["status"]!,
                    (double)trial["cost"]!,
                    (string?)trial["message"] ?? ""
                )
            );
        }
        return trials;
    }

    public static List<string> Notices(string journal) =>
        File.ReadLines(journal)
            .Where(l => l.Contains("\"type\":\"estimator-notice\"", StringComparison.Ordinal))
            .Select(l => (string)JObject.Parse(l)["message"]!)
            .ToList();

    public static string[] Standings(string summary) =>
        JObject.Parse(summary)["contestants"]!
            .Select(c =>
                $"{c["contestant"]} {c["evaluations"]} {c["failures"]} {c["bestValidationAccuracy"]} {c["testAccuracyOfBest"]} {c["seconds"]}"
            )
            .ToArray();
}
