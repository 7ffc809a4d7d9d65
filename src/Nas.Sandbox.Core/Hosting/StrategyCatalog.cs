namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Every strategy available to races, by name, kept up to date while races run: when a plugin is rebuilt or a script
/// is saved, its source publishes its new entries (<see cref="ReplaceSource"/>) and <see cref="EntryReplaced"/> tells
/// the referees, which swap contestants at their next turn; when a reload or recompile fails, <see cref="SourceFailed"/>
/// carries the errors and the old entries stay. When two sources publish the same name, the first one wins (built-in
/// packs are loaded first) and the clash is reported. Thread-safe: sources publish from watcher threads.
/// </summary>
public sealed class StrategyCatalog
{
    private readonly Dictionary<string, StrategyEntry> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    /// <summary>Entries ignored because their name was taken, by their source's origin: what a race by path is told.</summary>
    private readonly Dictionary<string, List<(StrategyEntry Ignored, StrategyEntry Kept)>> _ignored = new(
        StringComparer.Ordinal
    );
    private readonly Lock _lock = new();

    public StrategyCatalog(IEnumerable<StrategyEntry>? entries = null)
    {
        foreach (var entry in entries ?? [])
            Add(entry);
    }

    /// <summary>A strategy of a source was replaced by a new build of that source.</summary>
    public event Action<StrategyEntry>? EntryReplaced;

    /// <summary>A source (plugin dll or script path) failed to reload; the message says why (file and line for scripts).</summary>
    public event Action<string, string>? SourceFailed;

    public IReadOnlyCollection<StrategyEntry> All
    {
        get
        {
            lock (_lock)
                return _byName.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }
    }

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_lock)
                return _warnings.ToArray();
        }
    }

    public void Add(StrategyEntry entry)
    {
        lock (_lock)
        {
            if (_byName.TryGetValue(entry.Name, out var existing))
                _ = Ignore(entry, existing);
            else
                _byName[entry.Name] = entry;
        }
    }

    /// <summary>
    /// The entries of <paramref name="origin"/> after a reload: names it still provides are replaced (and announced),
    /// new names are added, names it no longer provides are removed (contestants already using them keep their instance).
    /// A new name another source already has is ignored, and said as a failed build of <paramref name="origin"/>
    /// (<see cref="SourceFailed"/>), so that a race journals it for the contestants racing that source, rather than
    /// only adding it to <see cref="Warnings"/>, which nobody reads mid-race.
    /// </summary>
    public void ReplaceSource(string origin, IReadOnlyList<StrategyEntry> entries)
    {
        var replaced = new List<StrategyEntry>();
        var clashes = new List<string>();
        lock (_lock)
        {
            foreach (var stale in _byName.Values.Where(e => e.Source.Origin == origin).ToArray())
                _byName.Remove(stale.Name);
            _ignored.Remove(origin);
            foreach (var entry in entries)
            {
                if (_byName.TryGetValue(entry.Name, out var other))
                {
                    clashes.Add(Ignore(entry, other));
                    continue;
                }
                _byName[entry.Name] = entry;
                replaced.Add(entry);
            }
        }
        foreach (var entry in replaced)
            EntryReplaced?.Invoke(entry);
        foreach (string clash in clashes)
            SourceFailed?.Invoke(origin, clash + " Rename it; a contestant racing it goes on with the build it has.");
    }

    public void ReportFailure(string origin, string message) => SourceFailed?.Invoke(origin, message);

    /// <summary>
    /// Under the lock: <paramref name="entry"/>'s name is <paramref name="kept"/>'s, which stays; warned and
    /// remembered. Returns the warning.
    /// </summary>
    private string Ignore(StrategyEntry entry, StrategyEntry kept)
    {
        string warning =
            $"Strategy '{entry.Name}' from {entry.Source.Origin} ignored: {kept.Source.Origin} already provides it.";
        _warnings.Add(warning);
        if (!_ignored.TryGetValue(entry.Source.Origin, out var list))
            _ignored[entry.Source.Origin] = list = [];
        list.Add((entry, kept));
        return warning;
    }

    /// <summary>A strategy by name, or the only strategy of a script given by its path.</summary>
    public StrategyEntry Get(string nameOrPath)
    {
        lock (_lock)
        {
            if (_byName.TryGetValue(nameOrPath, out var entry))
                return entry;
            if (nameOrPath.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
            {
                string full = Path.GetFullPath(nameOrPath);
                var fromScript = _byName.Values.Where(e => e.Source.Origin == full).ToArray();
                if (fromScript.Length == 1)
                    return fromScript[0];
                if (fromScript.Length > 1)
                    throw new NasException(
                        $"Script {nameOrPath} defines several strategies ({string.Join(", ", fromScript.Select(e => e.Name))}): name one of them."
                    );
                if (_ignored.GetValueOrDefault(full) is [var (ignored, kept), ..])
                    throw new NasException(
                        $"Script {nameOrPath} defines strategy '{ignored.Name}', a name the {kept.Source.Kind} {kept.Source.Origin} "
                            + "already has, so it is not raced: a script's strategy is named after its file (FILE-CLASS when it has several); rename the file."
                    );
                throw new NasException($"Script {nameOrPath} defines no strategy (or was not loaded).");
            }
            throw new NasException(
                _byName.Count == 0
                    ? $"Unknown strategy '{nameOrPath}': no strategies are available (no plugin folder was found; build the plugins first)."
                    : $"Unknown strategy '{nameOrPath}'. Available: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}."
            );
        }
    }
}
