namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// Every strategy available to races, by name. When two sources publish the same name the first one found wins
/// (built-in packs are searched first) and the clash is reported.
/// </summary>
public sealed class StrategyCatalog
{
    private readonly Dictionary<string, StrategyEntry> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];

    public StrategyCatalog(IEnumerable<StrategyEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (_byName.TryGetValue(entry.Name, out var existing))
                _warnings.Add($"Strategy '{entry.Name}' from {entry.Source.Origin} ignored: {existing.Source.Origin} already provides it.");
            else _byName[entry.Name] = entry;
        }
    }

    public IReadOnlyCollection<StrategyEntry> All => _byName.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
    public IReadOnlyList<string> Warnings => _warnings;

    public StrategyEntry Get(string name) =>
        _byName.TryGetValue(name, out var entry)
            ? entry
            : throw new NasException(_byName.Count == 0
                ? $"Unknown strategy '{name}': no strategies are available (no plugin folder was found; build the plugins first)."
                : $"Unknown strategy '{name}'. Available: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");
}
