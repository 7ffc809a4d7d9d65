using System.Collections.Concurrent;
using Nas.Sandbox.Abstractions;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// Operations by name. Starts with NAS-Bench-201's five; plugins and scripts register more. Safe to read while another
/// thread registers. One registry per host (no static state).
/// </summary>
public sealed class OperationRegistry
{
    private readonly ConcurrentDictionary<string, (IOperation Operation, string Source)> _operations = new(StringComparer.Ordinal);

    /// <summary>A registry holding the built-in NAS-Bench-201 operations.</summary>
    public static OperationRegistry CreateDefault()
    {
        var registry = new OperationRegistry();
        const string source = "built-in";
        registry.Register(new DelegateOperation("none", (i, o, s) => new Zero(i, o, s)), source);
        registry.Register(new DelegateOperation("skip_connect",
            (i, o, s) => s == 1 && i == o ? new Identity() : new FactorizedReduce(i, o, s)), source);
        registry.Register(new DelegateOperation("nor_conv_1x1", (i, o, s) => new ReluConvBn(i, o, 1, s, 0)), source);
        registry.Register(new DelegateOperation("nor_conv_3x3", (i, o, s) => new ReluConvBn(i, o, 3, s, 1)), source);
        registry.Register(new DelegateOperation("avg_pool_3x3", (i, o, s) => new AvgPool3x3(i, o, s)), source);
        return registry;
    }

    /// <summary>Adds an operation; a name already taken is refused unless <paramref name="replace"/> (a reloaded plugin).</summary>
    public void Register(IOperation operation, string source, bool replace = false)
    {
        if (replace) _operations[operation.Name] = (operation, source);
        else if (!_operations.TryAdd(operation.Name, (operation, source)))
            throw new NasException($"Operation '{operation.Name}' from {source} is already registered by {_operations[operation.Name].Source}.");
    }

    public bool Contains(string name) => _operations.ContainsKey(name);

    public IOperation Get(string name) =>
        _operations.TryGetValue(name, out var entry)
            ? entry.Operation
            : throw new NasException($"Unknown operation '{name}'. Known: {string.Join(", ", Names)}.");

    public string SourceOf(string name) => _operations[name].Source;

    public IReadOnlyList<string> Names => _operations.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    private sealed class DelegateOperation(string name, Func<int, int, int, nn.Module<Tensor, Tensor>> build) : IOperation
    {
        public string Name => name;
        public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) => build(channelsIn, channelsOut, stride);
    }
}
