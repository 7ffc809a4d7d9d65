using System.Collections.Concurrent;
using Nas.Sandbox.Abstractions;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Operations;

/// <summary>
/// Operations by name. Starts with NAS-Bench-201's five, DARTS' separable and dilated convolutions, a
/// squeeze-and-excitation block and MobileNetV2's inverted residuals (<c>mbconv_k3_e3</c> … <c>mbconv_k7_e6</c>); plugins and scripts register more. Safe to read while another
/// thread registers. One registry per host (no static state).
/// </summary>
public sealed class OperationRegistry
{
    private readonly ConcurrentDictionary<string, (IOperation Operation, string Source)> _operations = new(
        StringComparer.Ordinal
    );

    /// <summary>A registry holding the built-in NAS-Bench-201 operations.</summary>
    public static OperationRegistry CreateDefault()
    {
        var registry = new OperationRegistry();
        const string source = "built-in";
        registry.Register(new BuiltInOperation("none", (i, o, s, _) => new Zero(i, o, s)), source);
        registry.Register(
            new BuiltInOperation("skip_connect", (i, o, s, bn) =>
                s == 1 && i == o ? new Identity() : new FactorizedReduce(i, o, s, bn)
            ),
            source
        );
        registry.Register(
            new BuiltInOperation("nor_conv_1x1", (i, o, s, bn) => new ReluConvBn(i, o, 1, s, 0, batchNorm: bn)),
            source
        );
        registry.Register(
            new BuiltInOperation("nor_conv_3x3", (i, o, s, bn) => new ReluConvBn(i, o, 3, s, 1, batchNorm: bn)),
            source
        );
        registry.Register(new BuiltInOperation("avg_pool_3x3", (i, o, s, bn) => new AvgPool3x3(i, o, s, bn)), source);
        // DARTS' convolutions (Liu et al. 2019, operations.py), named as DARTS names them.
        foreach (int k in new[] { 3, 5 })
        {
            registry.Register(
                new BuiltInOperation($"sep_conv_{k}x{k}", (i, o, s, bn) => new SepConv(i, o, k, s, bn)),
                source
            );
            registry.Register(
                new BuiltInOperation($"dil_conv_{k}x{k}", (i, o, s, bn) => new DilConv(i, o, k, s, batchNorm: bn)),
                source
            );
        }
        registry.Register(
            new BuiltInOperation("se_block", (i, o, s, bn) => new SqueezeExcitation(i, o, s, bn)),
            source
        );
        // MobileNetV2's inverted residual at the kernels and expansion ratios ProxylessNAS and Once-for-All search.
        foreach (int k in MbConvKernels)
        foreach (int e in MbConvExpansions)
            registry.Register(
                new BuiltInOperation(MbConvName(k, e), (i, o, s, bn) => new InvertedResidual(i, o, k, e, s, bn)),
                source
            );
        return registry;
    }

    /// <summary>Kernel sizes of the built-in <c>mbconv_kK_eE</c> operations.</summary>
    public static readonly IReadOnlyList<int> MbConvKernels = [3, 5, 7];

    /// <summary>Expansion ratios of the built-in <c>mbconv_kK_eE</c> operations.</summary>
    public static readonly IReadOnlyList<int> MbConvExpansions = [3, 6];

    /// <summary>The name of the built-in inverted residual with kernel <paramref name="kernel"/> and expansion <paramref name="expansion"/>.</summary>
    public static string MbConvName(int kernel, int expansion) => $"mbconv_k{kernel}_e{expansion}";

    /// <summary>Adds an operation; a name already taken is refused unless <paramref name="replace"/> (a reloaded plugin).</summary>
    public void Register(IOperation operation, string source, bool replace = false)
    {
        if (replace)
            _operations[operation.Name] = (operation, source);
        else if (!_operations.TryAdd(operation.Name, (operation, source)))
            throw new NasException(
                $"Operation '{operation.Name}' from {source} is already registered by {_operations[operation.Name].Source}."
            );
    }

    public bool Contains(string name) => _operations.ContainsKey(name);

    public IOperation Get(string name) =>
        _operations.TryGetValue(name, out var entry)
            ? entry.Operation
            : throw new NasException($"Unknown operation '{name}'. Known: {string.Join(", ", Names)}.");

    public string SourceOf(string name) => _operations[name].Source;

    public IReadOnlyList<string> Names => _operations.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The operation as a module with its batch norms built as <paramref name="batchNorm"/> asks (a supernet asks for
    /// non-affine ones without running statistics). The built-in operations can; <see cref="IOperation.Build"/> takes no
    /// batch-norm options, so a plugin or script operation is built as it is and <paramref name="honoured"/> is false.
    /// </summary>
    public nn.Module<Tensor, Tensor> Build(
        string name,
        int channelsIn,
        int channelsOut,
        int stride,
        BatchNormOptions batchNorm,
        out bool honoured
    )
    {
        var operation = Get(name);
        honoured = operation is BuiltInOperation;
        return operation is BuiltInOperation builtIn
            ? builtIn.Build(channelsIn, channelsOut, stride, batchNorm)
            : operation.Build(channelsIn, channelsOut, stride);
    }

    /// <summary>A built-in operation: NB201's <c>OPS</c> entry, which takes its batch-norm options like NB201's does.</summary>
    private sealed class BuiltInOperation(
        string name,
        Func<int, int, int, BatchNormOptions, nn.Module<Tensor, Tensor>> build
    ) : IOperation
    {
        public string Name => name;

        public nn.Module<Tensor, Tensor> Build(int channelsIn, int channelsOut, int stride) =>
            build(channelsIn, channelsOut, stride, BatchNormOptions.Standard);

        public nn.Module<Tensor, Tensor> Build(
            int channelsIn,
            int channelsOut,
            int stride,
            BatchNormOptions batchNorm
        ) => build(channelsIn, channelsOut, stride, batchNorm);
    }
}
