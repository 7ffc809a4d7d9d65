namespace Nas.Sandbox.Core.Hosting.Packs;

/// <summary>
/// Keeps a running host in step with the pack store: a pack installed while a race runs makes its strategies
/// available (to add in the console), and a new version of an installed pack replaces the old one's plugins and
/// scripts, so its contestants swap to it by replay, as after a rebuild or a save. An install replaces a pack's whole
/// folder (atomically), which the plugin and script file watchers cannot follow, hence this watcher of the store's
/// folder. A removed pack's contestants keep the build they have.
/// </summary>
public sealed class PackWatcher : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);
    private readonly SandboxHost _host;
    private readonly PackStore _store;

    /// <summary>Each loaded pack's version and digest (<see cref="Digest"/>), by id.</summary>
    private readonly Dictionary<string, (string Version, string Digest)> _loaded = new(
        StringComparer.OrdinalIgnoreCase
    );
    private readonly Lock _lock = new();
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    public PackWatcher(SandboxHost host, PackStore store)
    {
        (_host, _store) = (host, store);
        foreach (var pack in store.Installed())
            _loaded[pack.Manifest.Id] = (pack.Manifest.Version.ToNormalizedString(), Digest(pack));
        Directory.CreateDirectory(store.Root);
        _timer = new Timer(_ => Refresh(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(store.Root)
        {
            NotifyFilter = NotifyFilters.DirectoryName,
            IncludeSubdirectories = false,
        };
        _watcher.Created += (_, _) => Poke();
        _watcher.Renamed += (_, _) => Poke();
        _watcher.Deleted += (_, _) => Poke();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>What changed (a pack installed, updated or removed), for the race's notices.</summary>
    public event Action<string>? Changed;

    private void Poke() => _timer.Change(Debounce, Timeout.InfiniteTimeSpan);

    /// <summary>Loads what was installed or updated since the last look; the watcher calls it after a quiet moment.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            try
            {
                var installed = _store.Installed();
                foreach (var pack in installed)
                {
                    // The manifest lists every file's hash: a reinstall of the same version with other files is a change too.
                    string digest = Digest(pack);
                    bool known = _loaded.TryGetValue(pack.Manifest.Id, out var before);
                    if (known && before.Digest == digest)
                        continue;
                    var failures = Load(pack);
                    string version = pack.Manifest.Version.ToNormalizedString();
                    _loaded[pack.Manifest.Id] = (version, digest);
                    string what = known
                        ? $"pack {pack.Manifest.Id} updated from {before.Version} to {version}: its contestants switch to it at their next turn"
                        : $"pack {pack.Manifest.Display} installed: {Provides(pack.Manifest)}";
                    Changed?.Invoke(failures.Count == 0 ? what : $"{what}; but {string.Join("; ", failures)}");
                }
                foreach (
                    string gone in _loaded
                        .Keys.Where(id =>
                            !installed.Any(p => string.Equals(p.Manifest.Id, id, StringComparison.OrdinalIgnoreCase))
                        )
                        .ToArray()
                )
                {
                    _loaded.Remove(gone);
                    Changed?.Invoke($"pack {gone} removed: contestants racing it keep the build they have");
                }
            }
            catch (Exception e)
            {
                // A timer thread must not throw: report, and the next change tries again.
                Changed?.Invoke($"installed packs could not be reloaded: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>Loads or reloads the pack's plugins and scripts; returns what failed (the old builds of those keep racing).</summary>
    private List<string> Load(InstalledPack pack)
    {
        var failures = new List<string>();
        foreach (var plugin in pack.Manifest.Plugins)
            if (
                _host.Plugins.Refresh(
                    Path.Combine(pack.PluginsFolder, plugin.Name, plugin.Name + ".dll"),
                    StrategySource.InstalledPack
                ) is
                { } failure
            )
                failures.Add(failure);
        var loadedBefore = _host.Scripts.Scripts.Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
        // Loads the scripts that are new, and records the pack's version for all of them, so a recompile names it.
        _host.Scripts.LoadFolder(
            pack.ScriptsFolder,
            StrategySource.InstalledPack,
            pack.Manifest.Version.ToNormalizedString()
        );
        foreach (var script in pack.Manifest.Scripts)
        {
            string path = Path.GetFullPath(Path.Combine(pack.Folder, script.Path));
            if (loadedBefore.Contains(path))
                _host.Scripts.Recompile(path);
            if (
                _host.Scripts.Errors.LastOrDefault(e => e.Path == path) is { } error
                && !_host.Scripts.Scripts.Any(s => s.Path == path)
            )
                failures.Add($"script {script.Path} did not compile: {error.Message}");
        }
        return failures;
    }

    /// <summary>What identifies a pack's content: its version and every file's hash (a same-version reinstall may differ).</summary>
    private static string Digest(InstalledPack pack) =>
        string.Join("\n", pack.Manifest.Files.Select(f => f.Sha256)) + "\n" + pack.Manifest.Version.ToFullString();

    private static string Provides(PackManifest manifest)
    {
        string provides = string.Join(
            ", ",
            manifest
                .Plugins.Select(p => p.Provides)
                .Concat(manifest.Scripts.Select(s => s.Provides))
                .Select(p => p.Describe())
                .Where(d => d.Length > 0)
        );
        return provides.Length == 0 ? "nothing to race" : provides;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}
