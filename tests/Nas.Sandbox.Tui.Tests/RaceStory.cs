using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Racing;
using Nas.Sandbox.Core.Racing.Tracking;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>Builds a race's events by hand and feeds them to a tracker, for snapshots with known content.</summary>
internal sealed class RaceStory
{
    public static readonly Nb201Space Space = new();
    private readonly Dictionary<string, int> _used = [];
    private readonly Dictionary<string, double?> _best = [];

    public RaceStory(params string[] contestants)
        : this(16, contestants) { }

    public RaceStory(int budget, params string[] contestants)
    {
        Tracker = new RaceTracker(Control);
        var settings = new RaceSettings
        {
            Contestants = contestants.Select(ContestantSpec.Parse).ToArray(),
            Budget = budget,
        };
        var infos = contestants
            .Select(c => new ContestantInfo(
                c,
                c,
                StrategySource.BuiltInPack,
                "Nas.Sandbox.Strategies.Classic",
                "1.0.0",
                new Dictionary<string, string>()
            ))
            .ToArray();
        Tracker.OnEvent(new RaceStarted(settings, infos, "train", "epochs=1"));
        Tracker.OnEvent(new HeatStarted(0, 42));
        foreach (string c in contestants)
            (_used[c], _best[c]) = (0, null);
    }

    public RaceControl Control { get; } = new();
    public RaceTracker Tracker { get; }

    public static Architecture Cell(params string[] ops) => Space.FromChoices(ops);

    public static readonly Architecture ConvCell = Cell(
        "nor_conv_3x3",
        "skip_connect",
        "none",
        "avg_pool_3x3",
        "nor_conv_1x1",
        "skip_connect"
    );

    public RaceStory Trial(
        string contestant,
        double? accuracy,
        Architecture? architecture = null,
        TrialStatus status = TrialStatus.Ok,
        string? message = null
    )
    {
        int index = _used[contestant]++;
        var trial = new Trial
        {
            Index = index,
            Architecture = architecture ?? Space.Sample(new Random(index * 31 + contestant.Length)),
            Status = status,
            Metrics = new Metrics
            {
                ValidationAccuracy = accuracy,
                Parameters = 12_345,
                Flops = 4_500_000,
                ValidationLoss = 0.5,
            },
            CostSeconds = 2.5,
            Message = message,
        };
        if (status == TrialStatus.Ok && accuracy > (_best[contestant] ?? double.MinValue))
            _best[contestant] = accuracy;
        Tracker.OnEvent(new TrialFinished(contestant, 0, trial, _best[contestant]));
        return this;
    }

    public RaceSnapshot Snapshot() => Tracker.Snapshot();
}
