using System.Collections.Concurrent;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// <c>--isolation process</c>: every contestant runs in a child process of its own, so that what no in-process guard can
/// catch (<see cref="Environment.Exit(int)"/>, a stack overflow, a crash in native code, runaway memory) ends that
/// process only. The referee rebuilds the contestant by replay in a fresh process, as after a timeout; a contestant
/// whose process crashes <see cref="Referee.MaxCrashesPerHeat"/> times in a heat sits out the rest of it.
/// <para>What a contestant process gets: the host's plugin and script folders (it loads the same build, and refuses a
/// source edited since), the race's space and objective, and the race's training data settings, from which it makes
/// its own training kit with the same seeds when the strategy touches one (DARTS-style strategies train there).</para>
/// <para>What it costs: a process start (about half a second, more when a script must be compiled) per contestant, not
/// per heat (the process is kept between instances), and a round trip over a local pipe per Ask and Tell.</para>
/// </summary>
public sealed class ContestantProcesses : IDisposable
{
    private readonly ConcurrentDictionary<StrategyEntry, IsolatedStrategyFactory> _factories = new(
        ReferenceEqualityComparer.Instance
    );
    private readonly JObject _race;

    /// <param name="start">How to start a contestant process (the host program with its hidden contestant command).</param>
    /// <param name="pluginFolders">The extra plugin folders the host was given (the default locations are found again).</param>
    /// <param name="scriptFolders">The extra script folders the host was given.</param>
    /// <param name="space">The race's space, made again in each process from its name and operations.</param>
    /// <param name="training">The race's training data (its dataset is named by <paramref name="dataset"/>); null when none.</param>
    public ContestantProcesses(
        ContestantProcessStart start,
        IEnumerable<string> pluginFolders,
        IEnumerable<string> scriptFolders,
        ISearchSpace space,
        RaceSettings settings,
        string dataset,
        Training.RaceTrainingData? training
    )
    {
        Start = start;
        CallTimeout = settings.CallTimeout;
        _race = new JObject
        {
            ["plugins"] = new JArray(pluginFolders.Select(Path.GetFullPath)),
            ["scripts"] = new JArray(scriptFolders.Select(Path.GetFullPath)),
            ["space"] = new JObject { ["name"] = space.Name, ["operations"] = new JArray(space.Operations) },
            ["objective"] = settings.Objective.Text,
            ["fidelity"] = JObject.FromObject(settings.Fidelity, JournalFormat.Serializer),
            ["training"] = training is null
                ? null
                : new JObject
                {
                    ["dataset"] = dataset,
                    ["settings"] = JObject.FromObject(training.Settings, JournalFormat.Serializer),
                    ["device"] = training.Device.ToString(),
                },
        };
    }

    public ContestantProcessStart Start { get; }
    public TimeSpan CallTimeout { get; }

    /// <summary>How long a process may take to start and load its strategy (not the contestant's time: host overhead).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The factory that makes <paramref name="entry"/>'s instances in contestant processes.</summary>
    public IStrategyFactory For(StrategyEntry entry) => Factory(entry);

    /// <summary>Starts a process for <paramref name="entry"/> if none is idle (before the call that needs it, so its start is not timed as the contestant's).</summary>
    public Task PrepareAsync(StrategyEntry entry) => Task.Run(() => Factory(entry).Prepare());

    private IsolatedStrategyFactory Factory(StrategyEntry entry) =>
        _factories.GetOrAdd(entry, e => new IsolatedStrategyFactory(e, this));

    internal JObject Setup(StrategyEntry entry)
    {
        var setup = (JObject)_race.DeepClone();
        setup["strategy"] = new JObject
        {
            ["name"] = entry.Name,
            ["origin"] = entry.Source.Origin,
            ["build"] = entry.Source.Build,
        };
        return setup;
    }

    public void Dispose()
    {
        foreach (var factory in _factories.Values)
            factory.StopAll();
        _factories.Clear();
    }
}
