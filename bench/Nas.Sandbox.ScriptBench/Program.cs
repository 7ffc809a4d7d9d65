using System.Diagnostics;
using System.Globalization;
using Nas.Sandbox.Core.Hosting.Scripts;

// How fast is a script compile, and does compile + Dispose give the memory back?
//  * cold: the first Compile of a fresh ScriptCompiler in a fresh process (metadata references, Roslyn's own JIT);
//  * warm: the median of 20 later compiles, each of a new text (a comment with the iteration number appended, so no
//    cache anywhere can serve it), each followed by Dispose;
//  * memory (managed heap after a full GC, and the process working set) after 10, 100, 200 and 400 compile + Dispose
//    cycles, and how many of those cycles' load contexts are still alive: flat memory and 0 alive = no leak.
Nas.Sandbox.Core.Evaluation.TorchRuntime.Configure();

if (args.Contains("--swap"))
{
    SwapLatency.Run(Path.Combine(RepoRoot(), "scripts", "edge-bandit.csx"));
    return;
}

var invariant = CultureInfo.InvariantCulture;
string source = args.Length > 0 ? Path.GetFullPath(args[0]) : Path.Combine(RepoRoot(), "scripts", "edge-bandit.csx");
string folder = Directory.CreateTempSubdirectory("nas-script-bench-").FullName;
string script = Path.Combine(folder, Path.GetFileName(source));
string original = File.ReadAllText(source);

// No cache: every compile here is of a new text, and each would only write an entry nobody reads again.
var compiler = new ScriptCompiler(cacheFolder: null);
var contexts = new List<WeakReference>();
int iteration = 0;

int[] checkpoints = [10, 100, 200, 400];
var times = new List<double>();
var memory = new Dictionary<int, (long Managed, long WorkingSet)>();
try
{
    Console.WriteLine($"script compiler benchmark: {source}");
    Console.WriteLine(
        $".NET {Environment.Version}, {Environment.ProcessorCount} cores, {(Debugger.IsAttached ? "debugger attached" : "no debugger")}"
    );
    // Memory is measured between cycles (after forced collections), never inside a timed compile.
    for (int cycle = 1; cycle <= checkpoints[^1]; cycle++)
    {
        times.Add(CompileAndDispose());
        if (checkpoints.Contains(cycle))
            memory[cycle] = Memory();
    }
    var warm = times.Skip(1).Take(20).Order().ToArray();
    var later = times.Skip(21).Order().ToArray();
    Console.WriteLine(
        $"cold compile                          {times[0], 8:0.0} ms  (first compile in the process: references + Roslyn JIT)"
    );
    Console.WriteLine(
        $"warm compile, median of 20 (2-21)     {Median(warm), 8:0.0} ms  (min {warm[0]:0.0}, max {warm[^1]:0.0})"
    );
    Console.WriteLine(
        $"warm compile, median of cycles 22-{times.Count} {Median(later), 8:0.0} ms  (min {later[0]:0.0}, max {later[^1]:0.0})"
    );
    foreach (var (cycle, m) in memory)
        Console.WriteLine(
            $"after {cycle, 3} compile+Dispose cycles     {Format(m)}, alive contexts {contexts.Take(cycle).Count(c => c.IsAlive)} of {cycle}"
        );
    Console.WriteLine(
        string.Create(
            invariant,
            $"growth from cycle 10 to 200          managed {(memory[200].Managed - memory[10].Managed) / 1048576.0:+0.0;-0.0} MB, working set {(memory[200].WorkingSet - memory[10].WorkingSet) / 1048576.0:+0.0;-0.0} MB"
        )
    );
}
finally
{
    Directory.Delete(folder, recursive: true);
}

double CompileAndDispose()
{
    File.WriteAllText(script, original + $"\n// iteration {iteration++}\n");
    var clock = Stopwatch.StartNew();
    var result = compiler.Compile(script);
    double ms = clock.Elapsed.TotalMilliseconds;
    if (result.Script is not { } compiled)
        throw new InvalidOperationException("compile failed:\n" + string.Join("\n", result.Diagnostics));
    contexts.Add(compiled.LoadContextReference);
    compiled.Dispose();
    return ms;
}

(long Managed, long WorkingSet) Memory()
{
    // Unloading takes a few collections: the context's finalizer runs, then its memory goes.
    for (int i = 0; i < 10 && contexts.Any(c => c.IsAlive); i++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
    return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
}

string Format((long Managed, long WorkingSet) m) =>
    string.Create(
        invariant,
        $"managed {m.Managed / 1048576.0, 6:0.0} MB, working set {m.WorkingSet / 1048576.0, 6:0.0} MB"
    );

static double Median(double[] sorted) =>
    sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Nas.Sandbox.sln")))
            return dir.FullName;
    throw new InvalidOperationException("repository root not found; pass the script path as the first argument");
}
