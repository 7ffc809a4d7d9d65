using System.Collections.Concurrent;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Hosting.Scripts;

namespace Nas.Sandbox.Core.Hosting;

/// <summary>
/// The <c>.csx</c> scripts of a host: compiles each (Roslyn, collectible load context), publishes what it defines
/// (strategies to the <see cref="StrategyCatalog"/>, operations to the <see cref="OperationRegistry"/>, search spaces to
/// the <see cref="SpaceCatalog"/>, estimators to <see cref="Estimators"/>), and with <see cref="Watch"/> recompiles a script when it or a file it <c>#load</c>s is
/// saved. Saves in quick succession compile once (debounce). A script that fails to compile is reported with its
/// diagnostics and, on a recompile, its previous version stays published and racing.
/// </summary>
public sealed class ScriptCatalog : IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(100);

    private readonly ScriptCompiler _compiler;
    private readonly StrategyCatalog _strategies;
    private readonly OperationRegistry _operations;
    private readonly SpaceCatalog _spaces;
    private readonly ConcurrentDictionary<string, CompiledScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IEstimator> _estimators = new(StringComparer.Ordinal);

    /// <summary>The script (full path) whose estimator each name in <see cref="_estimators"/> is.</summary>
    private readonly ConcurrentDictionary<string, string> _estimatorScripts = new(StringComparer.Ordinal);
    private readonly Func<string, string?> _estimatorOwner;
    private readonly ConcurrentDictionary<string, Timer> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Kind, string? Version)> _origins = new(
        StringComparer.Ordinal
    );
    private readonly List<ScriptLoadError> _errors = [];
    private readonly Lock _lock = new();
    private TimeSpan _debounce = DefaultDebounce;
    private bool _watching;

    /// <param name="spaces">Where scripts' search spaces go (the host's catalog); a private default catalog when null.</param>
    /// <param name="estimatorOwner">
    /// Who outside the scripts already provides an estimator name (the host: a built-in, a plugin), or null when nobody
    /// does; such a name resolves there first, so a script defining it is refused rather than never raced. When null,
    /// the built-in names alone are taken.
    /// </param>
    public ScriptCatalog(
        ScriptCompiler compiler,
        StrategyCatalog strategies,
        OperationRegistry operations,
        SpaceCatalog? spaces = null,
        Func<string, string?>? estimatorOwner = null
    )
    {
        (_compiler, _strategies, _operations) = (compiler, strategies, operations);
        _spaces = spaces ?? SpaceCatalog.CreateDefault();
        _estimatorOwner = estimatorOwner ?? BuiltInEstimatorOwner;
    }

    /// <summary>"the built-in estimator" for a built-in estimator's name, else null.</summary>
    public static string? BuiltInEstimatorOwner(string name) =>
        SandboxHost.EstimatorNames.Contains(name) ? "the built-in estimator" : null;

    /// <summary>A script was recompiled after a save: its path, and its errors when it did not compile.</summary>
    public event Action<string, IReadOnlyList<ScriptDiagnostic>>? Recompiled;

    public IReadOnlyList<ScriptLoadError> Errors
    {
        get
        {
            lock (_lock)
                return _errors.ToArray();
        }
    }

    /// <summary>Estimators defined by scripts, by name.</summary>
    public IReadOnlyDictionary<string, IEstimator> Estimators => _estimators;

    public IReadOnlyCollection<CompiledScript> Scripts => _scripts.Values.ToArray();

    /// <summary>
    /// Loads every <c>*.csx</c> directly in <paramref name="folder"/> (sub-folders hold <c>#load</c>ed helpers);
    /// <paramref name="kind"/> is the source kind its strategies show, and <paramref name="version"/> their version
    /// (an installed pack's scripts show the pack's version; other scripts their content hash).
    /// </summary>
    public void LoadFolder(string folder, string kind = StrategySource.Script, string? version = null)
    {
        if (!Directory.Exists(folder))
            return;
        foreach (string path in Directory.GetFiles(folder, "*.csx").Order(StringComparer.Ordinal))
        {
            _origins[Path.GetFullPath(path)] = (kind, version);
            Load(path);
        }
    }

    /// <summary>Compiles and publishes one script; false (and <see cref="Errors"/>) when it does not compile.</summary>
    public bool Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (_scripts.ContainsKey(full))
            return true;
        var result = _compiler.Compile(full);
        if (!result.Success)
        {
            lock (_lock)
                _errors.Add(new ScriptLoadError(full, result.Diagnostics.Where(d => d.IsError).ToArray()));
            return false;
        }
        return Add(result.Script!) is null;
    }

    /// <summary>
    /// Publishes a script compiled elsewhere (<c>nas script check</c> compiles it itself, to print every diagnostic).
    /// When a name it defines is taken by another source, the script is refused (disposed, recorded in
    /// <see cref="Errors"/> as <see cref="ScriptDiagnosticCodes.NameTaken"/>) and that diagnostic is returned; else null.
    /// </summary>
    public ScriptDiagnostic? Add(CompiledScript script)
    {
        try
        {
            Publish(script, previous: null);
        }
        catch (NasException e)
        {
            script.Dispose();
            var refusal = Refusal(script, e);
            lock (_lock)
                _errors.Add(new ScriptLoadError(script.Path, [refusal]));
            return refusal;
        }
        if (_watching)
            WatchSources(script);
        return null;
    }

    /// <summary>Why <see cref="Publish"/> refused a script, as a diagnostic on its first line (which names the file).</summary>
    private static ScriptDiagnostic Refusal(CompiledScript script, NasException e) =>
        new(
            script.Path,
            1,
            1,
            ScriptDiagnostic.Error,
            ScriptDiagnosticCodes.NameTaken,
            e.Message.StartsWith(script.Path + ": ", StringComparison.Ordinal)
                ? e.Message[(script.Path.Length + 2)..]
                : e.Message
        );

    /// <summary>From now on, recompile a script when one of its source files changes.</summary>
    public void Watch(TimeSpan? debounce = null)
    {
        _debounce = debounce ?? DefaultDebounce;
        _watching = true;
        foreach (var script in _scripts.Values)
            WatchSources(script);
    }

    /// <summary>Recompiles <paramref name="path"/> now (what a save triggers after the debounce).</summary>
    public void Recompile(string path)
    {
        string full = Path.GetFullPath(path);
        _scripts.TryGetValue(full, out var previous);
        var result = _compiler.Compile(full);
        if (result.Success)
        {
            try
            {
                Publish(result.Script!, previous);
            }
            catch (NasException e)
            {
                // A save that takes another source's name: refused like a compile error, the previous version races on.
                result.Script!.Dispose();
                var refusal = Refusal(result.Script, e);
                _strategies.ReportFailure(full, refusal.ToString());
                Recompiled?.Invoke(full, [.. result.Diagnostics, refusal]);
                return;
            }
            if (_watching)
                WatchSources(result.Script!);
        }
        else
        {
            string message = string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.IsError));
            _strategies.ReportFailure(full, message);
        }
        Recompiled?.Invoke(full, result.Diagnostics);
    }

    /// <summary>
    /// Publishes what a compiled script defines. Every name is checked before anything is registered, so a script
    /// refused for a name another source has (<see cref="ScriptDiagnosticCodes.NameTaken"/>) leaves nothing behind.
    /// A script may redefine its own names on a save.
    /// </summary>
    private void Publish(CompiledScript script, CompiledScript? previous)
    {
        var (kind, version) = _origins.GetValueOrDefault(script.Path, (StrategySource.Script, null));
        var source = new StrategySource(kind, script.Path, version ?? script.Version, script.Version);
        var entries = script.Strategies.Select(f => new StrategyEntry(f, source)).ToArray();
        string operationSource = $"script {script.Path}";
        foreach (var operation in script.Operations)
            if (_operations.Contains(operation.Name) && _operations.SourceOf(operation.Name) != operationSource)
                throw new NasException(
                    $"{script.Path}: operation '{operation.Name}' is already registered by {_operations.SourceOf(operation.Name)}."
                );
        // Likewise for spaces: a name another source has refuses the script (and the race that names it).
        foreach (var space in script.Spaces)
            _spaces.CheckFree(space, operationSource);
        // And for estimators, which a race looks up built-ins first, then plugins, then scripts: a taken name would
        // never race this script's, and two scripts' would race whichever loaded last.
        foreach (var group in script.Estimators.GroupBy(e => e.Name).Where(g => g.Count() > 1))
            throw new NasException($"{script.Path}: defines estimator '{group.Key}' {group.Count()} times.");
        foreach (var group in script.Operations.GroupBy(o => o.Name).Where(g => g.Count() > 1))
            throw new NasException($"{script.Path}: defines operation '{group.Key}' {group.Count()} times.");
        foreach (var group in script.Spaces.GroupBy(o => o.Name).Where(g => g.Count() > 1))
            throw new NasException($"{script.Path}: defines search space '{group.Key}' {group.Count()} times.");
        foreach (var estimator in script.Estimators)
        {
            if (_estimatorOwner(estimator.Name) is { } owner)
                throw new NasException(
                    $"{script.Path}: estimator '{estimator.Name}' is already provided by {owner}; rename it."
                );
            if (_estimatorScripts.TryGetValue(estimator.Name, out string? other) && other != script.Path)
                throw new NasException(
                    $"{script.Path}: estimator '{estimator.Name}' is already defined by script {other}; rename one of them."
                );
        }
        foreach (var operation in script.Operations)
            _operations.Register(operation, operationSource, replace: true);
        foreach (var space in script.Spaces)
            _spaces.Register(space, operationSource);
        // A save that drops an estimator drops its name (a race keeps the instance it started with).
        foreach (string stale in _estimatorScripts.Where(e => e.Value == script.Path).Select(e => e.Key).ToArray())
        {
            _estimators.TryRemove(stale, out _);
            _estimatorScripts.TryRemove(stale, out _);
        }
        foreach (var estimator in script.Estimators)
        {
            _estimators[estimator.Name] = estimator;
            _estimatorScripts[estimator.Name] = script.Path;
        }
        _scripts[script.Path] = script;
        if (previous is null)
            foreach (var entry in entries)
                _strategies.Add(entry);
        else
        {
            _strategies.ReplaceSource(script.Path, entries);
            // Contestants still holding old instances keep them alive until they swap; unloading is cooperative.
            previous.Dispose();
        }
    }

    private void WatchSources(CompiledScript script)
    {
        foreach (string folder in script.SourceFiles.Select(Path.GetDirectoryName).Distinct()!)
            _watchers.GetOrAdd(folder!, f =>
            {
                var watcher = new FileSystemWatcher(f, "*.csx")
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
                };
                watcher.Changed += (_, e) => OnSourceChanged(e.FullPath);
                watcher.Created += (_, e) => OnSourceChanged(e.FullPath);
                watcher.Renamed += (_, e) => OnSourceChanged(e.FullPath);
                watcher.EnableRaisingEvents = true;
                return watcher;
            });
    }

    private void OnSourceChanged(string changed)
    {
        foreach (var script in _scripts.Values.Where(s => s.SourceFiles.Contains(changed, StringComparer.Ordinal)))
        {
            string path = script.Path;
            // Debounce: every event restarts the timer, so an editor's burst of writes compiles once.
            var timer = _pending.GetOrAdd(path, p => new Timer(
                _ => SafeRecompile(p),
                null,
                Timeout.Infinite,
                Timeout.Infinite
            ));
            timer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void SafeRecompile(string path)
    {
        try
        {
            Recompile(path);
        }
        catch (Exception e)
        {
            _strategies.ReportFailure(path, $"{path}: recompiling failed: {e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers.Values)
            watcher.Dispose();
        foreach (var timer in _pending.Values)
            timer.Dispose();
        foreach (var script in _scripts.Values)
            script.Dispose();
        _scripts.Clear();
    }
}

/// <summary>A script that did not compile when first loaded, with its errors (<c>file(line,col): error CODE: message</c>).</summary>
public sealed record ScriptLoadError(string Path, IReadOnlyList<ScriptDiagnostic> Diagnostics)
{
    public string Message => string.Join(Environment.NewLine, Diagnostics);
}
