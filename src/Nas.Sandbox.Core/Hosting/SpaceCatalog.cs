using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>A search space the host can race on, with where it came from (<c>built-in</c>, <c>plugin DLL</c>, <c>script PATH</c>).</summary>
public sealed record SpaceEntry(ISpaceProvider Provider, string Source)
{
    public string Name => Provider.Name;
}

/// <summary>
/// Search spaces by name: the built-in ones, then those plugins, packs and scripts publish. A name another source
/// already has refuses the newcomer (its plugin or script is reported) and is remembered as a clash, so that a race
/// naming it does not start on whichever came first: <see cref="Get"/> names both sources. A built-in's name is never
/// a clash: the built-in is always first, and stays usable. Safe to read while another
/// thread registers.
/// </summary>
public sealed class SpaceCatalog
{
    public const string BuiltIn = "built-in";

    private readonly Dictionary<string, SpaceEntry> _spaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clashes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A catalog holding the built-in spaces.</summary>
    public static SpaceCatalog CreateDefault()
    {
        var catalog = new SpaceCatalog();
        catalog.Register(new Nb201SpaceProvider(), BuiltIn);
        catalog.Register(new NatsSizeSpaceProvider(), BuiltIn);
        catalog.Register(new MacroSpaceProvider(), BuiltIn);
        return catalog;
    }

    /// <summary>The built-in spaces' names (what a host without plugins or scripts offers).</summary>
    public static IReadOnlyList<string> BuiltInNames => CreateDefault().Entries.Select(e => e.Name).ToArray();

    /// <summary>Every space, by name.</summary>
    public IReadOnlyList<SpaceEntry> Entries
    {
        get
        {
            lock (_lock)
                return _spaces.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Name clashes between sources, one message each (the refused plugin or script reports it as its load error).</summary>
    public IReadOnlyList<string> Clashes
    {
        get
        {
            lock (_lock)
                return _clashes.Values.ToArray();
        }
    }

    /// <summary>
    /// Adds a space. A name that another source already has throws <see cref="NasException"/> naming both sources
    /// (and is recorded as a clash); the same source may replace its own (a rebuilt plugin, a re-saved script).
    /// </summary>
    public void Register(ISpaceProvider provider, string source)
    {
        string name = provider.Name;
        if (string.IsNullOrWhiteSpace(name))
            throw new NasException($"A search space from {source} has no name.");
        lock (_lock)
        {
            CheckFree(provider, source);
            _spaces[name] = new SpaceEntry(provider, source);
        }
    }

    /// <summary>Throws like <see cref="Register"/> would, without registering: for all-or-nothing publishing.</summary>
    public void CheckFree(ISpaceProvider provider, string source)
    {
        lock (_lock)
            if (_spaces.TryGetValue(provider.Name, out var other) && other.Source != source)
            {
                // A built-in name stays the built-in's: it is always there first, so there is nothing to choose, and a
                // script or plugin that takes it must not make it unusable (only the newcomer is refused).
                if (other.Source == BuiltIn)
                    throw new NasException(
                        $"Search space '{provider.Name}' is a built-in space's name; {source} must rename its space."
                    );
                string message =
                    $"Search space '{provider.Name}' is provided by both {other.Source} and {source}; rename one of them.";
                _clashes[provider.Name] = message;
                throw new NasException(message);
            }
    }

    public SpaceEntry? Find(string name)
    {
        lock (_lock)
            return _spaces.GetValueOrDefault(name);
    }

    /// <summary>The space named <paramref name="name"/>; an unknown or clashing name throws <see cref="NasException"/>.</summary>
    public SpaceEntry Get(string name)
    {
        lock (_lock)
        {
            if (_clashes.TryGetValue(name, out string? clash))
                throw new NasException(clash);
            if (_spaces.TryGetValue(name, out var entry))
                return entry;
            throw new NasException(
                $"Unknown search space '{name}'. Available: {string.Join(", ", _spaces.Keys.Order(StringComparer.Ordinal))}."
            );
        }
    }
}
