using System.Runtime.Loader;
using Nas.Sandbox.Abstractions;

namespace Nas.Sandbox.Core.Hosting.Scripts;

/// <summary>
/// A script compiled and loaded into its own collectible load context, with what it publishes. It owns those objects:
/// <see cref="Dispose"/> drops them and unloads the context. The context is only collected once nobody else holds an
/// object, type or delegate from the script either (a strategy instance still racing, a registered operation): a host
/// that swaps in a new version must let go of the old one's objects too. <see cref="LoadContextReference"/> lets tests
/// and diagnostics check that it really went.
/// </summary>
public sealed class CompiledScript : IDisposable
{
    private AssemblyLoadContext? _context;

    internal CompiledScript(
        string path,
        string version,
        IReadOnlyList<string> sourceFiles,
        IReadOnlyList<IStrategyFactory> strategies,
        IReadOnlyList<IEstimator> estimators,
        IReadOnlyList<IOperation> operations,
        IReadOnlyList<ISpaceProvider> spaces,
        AssemblyLoadContext context
    )
    {
        Path = path;
        Version = version;
        SourceFiles = sourceFiles;
        Strategies = strategies;
        Estimators = estimators;
        Operations = operations;
        Spaces = spaces;
        _context = context;
        LoadContextReference = new WeakReference(context);
    }

    /// <summary>Full path of the <c>.csx</c> file.</summary>
    public string Path { get; }

    /// <summary>First 8 hex digits of the SHA-256 of the script's text and every file it <c>#load</c>-s: changes when any of them does.</summary>
    public string Version { get; }

    /// <summary>Full paths of the script and every file it <c>#load</c>-s (transitively): what to watch for hot reload.</summary>
    public IReadOnlyList<string> SourceFiles { get; }

    /// <summary>True when the build came from the <see cref="ScriptCache"/> rather than from the compiler.</summary>
    public bool FromCache { get; init; }

    public IReadOnlyList<IStrategyFactory> Strategies { get; private set; }
    public IReadOnlyList<IEstimator> Estimators { get; private set; }
    public IReadOnlyList<IOperation> Operations { get; private set; }
    public IReadOnlyList<ISpaceProvider> Spaces { get; private set; }

    /// <summary>The script's load context, weakly: not alive once disposed and no longer referenced anywhere.</summary>
    public WeakReference LoadContextReference { get; }

    public void Dispose()
    {
        var context = Interlocked.Exchange(ref _context, null);
        if (context is null)
            return;
        Strategies = [];
        Estimators = [];
        Operations = [];
        Spaces = [];
        context.Unload();
    }
}
