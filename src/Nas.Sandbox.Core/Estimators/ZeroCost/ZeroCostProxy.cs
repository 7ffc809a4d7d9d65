using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Evaluation.Model;
using Nas.Sandbox.Core.Evaluation.Operations;
using TorchSharp;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Estimators.ZeroCost;

/// <summary>
/// A zero-cost proxy: scores an untrained network from one minibatch, no training (Abdelfattah et al., "Zero-Cost
/// Proxies for Lightweight NAS", 2021; Mellor et al., "Neural Architecture Search without Training", 2021). Higher is
/// better; the scale is the proxy's own.
/// </summary>
public abstract class ZeroCostProxy
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>The score of <paramref name="model"/> (freshly initialised) on one minibatch.</summary>
    public abstract double Score(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels);

    public static readonly IReadOnlyList<ZeroCostProxy> All =
    [
        new GradNormProxy(),
        new SnipProxy(),
        new SynflowProxy(),
        new NaswotProxy(),
    ];

    /// <summary>Forward and backward of the cross-entropy on the minibatch, gradients left in the parameters.</summary>
    protected static void Backward(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.train();
        model.zero_grad();
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        loss.backward();
    }

    /// <summary>The weights of convolutions and linear layers: what pruning-based proxies score.</summary>
    protected static IEnumerable<TorchSharp.Modules.Parameter> PrunableWeights(nn.Module<Tensor, Tensor> model) =>
        model
            .modules()
            .SelectMany(m =>
                m switch
                {
                    TorchSharp.Modules.Conv2d conv => new[] { conv.weight! },
                    TorchSharp.Modules.Linear linear => new[] { linear.weight! },
                    _ => [],
                }
            );
}

/// <summary>A proxy that sums a per-layer figure of each prunable weight and its loss gradient on one minibatch.</summary>
public abstract class GradientSaliencyProxy : ZeroCostProxy
{
    /// <summary>The figure of one layer's weight and its gradient.</summary>
    protected abstract double Measure(Tensor weight, Tensor gradient);

    public sealed override double Score(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        Backward(model, images, labels);
        using var scope = NewDisposeScope();
        return PrunableWeights(model).Where(w => w.grad is not null).Sum(w => Measure(w, w.grad!));
    }
}

/// <summary>grad-norm: the sum over layers of the L2 norm of the loss gradient.</summary>
public sealed class GradNormProxy : GradientSaliencyProxy
{
    public override string Name => "grad-norm";
    public override string Description => "sum of the L2 norms of the weights' gradients on one minibatch";

    protected override double Measure(Tensor weight, Tensor gradient) => gradient.norm().item<float>();
}

/// <summary>snip (Lee et al. 2019): connection sensitivity, Σ |θ ⊙ ∂L/∂θ|.</summary>
public sealed class SnipProxy : GradientSaliencyProxy
{
    public override string Name => "snip";
    public override string Description => "connection sensitivity Σ|θ·∂L/∂θ| (Lee et al. 2019) on one minibatch";

    protected override double Measure(Tensor weight, Tensor gradient) => (weight * gradient).abs().sum().item<float>();
}

/// <summary>
/// synflow (Tanaka et al. 2020): with every parameter replaced by its absolute value and an all-ones input, the sum of
/// θ ⊙ ∂R/∂θ where R is the sum of the outputs. Data-free. Batch norm in evaluation mode and double precision, as in
/// the reference implementation, so the product of layer norms neither vanishes nor overflows. ReLU6 modules pass
/// their input through during the pass (see <see cref="Score"/>).
/// </summary>
public sealed class SynflowProxy : ZeroCostProxy
{
    public override string Name => "synflow";
    public override string Description =>
        "synaptic flow Σ θ·∂R/∂θ with |θ| and an all-ones input (Tanaka et al. 2020), data-free";

    public override double Score(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        model.to(float64);
        using (no_grad())
            foreach (var p in model.parameters())
                p.abs_();
        model.eval();
        model.zero_grad();
        var ones = torch.ones(
            [1, images.shape[1], images.shape[2], images.shape[3]],
            dtype: float64,
            device: images.device
        );
        // ReLU6 (MobileNetV2's inverted residuals, the macro space) would clip the growing all-ones signal at 6 and
        // pass no gradient back, so only the layers after the last ReLU6 would be scored. On synflow's positive signal
        // a ReLU is the identity: ReLU6 is made one too for the pass, as synflow's linearised network has no clipping.
        // (A new handle to the input, not the input: a Sequential disposes what each module returned.)
        var unclip = new List<Action>();
        foreach (var relu6 in model.modules().OfType<TorchSharp.Modules.ReLU6>())
            unclip.Add(relu6.register_forward_hook((_, input, _) => input.alias()).remove);
        try
        {
            model.call(ones).sum().backward();
        }
        finally
        {
            foreach (var remove in unclip)
                remove();
        }
        double score = PrunableWeights(model)
            .Where(w => w.grad is not null)
            .Sum(w => (w * w.grad!).sum().item<double>());
        return Math.Log(Math.Max(score, double.Epsilon));
    }
}

/// <summary>
/// NASWOT (Mellor et al. 2021): how differently the untrained network's ReLUs split a minibatch. K[i,j] counts the
/// ReLUs on which images i and j agree (both active or both inactive); the score is log|det K|.
/// </summary>
public sealed class NaswotProxy : ZeroCostProxy
{
    public override string Name => "naswot";
    public override string Description =>
        "log|det K| of the ReLU activation-pattern kernel on one minibatch (Mellor et al. 2021)";

    public override double Score(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        long n = images.shape[0];
        using var kernel = zeros(n, n, dtype: float64);
        using var zero = 0.ToScalar(); // held through every hook's native calls (SafeTorch.One says why)
        var hooks = new List<Action>();
        // Every ReLU: ReluConvBn applies one to its input first (NB201's operations and reduction blocks), DARTS'
        // convolutions and se_block hold ReLU modules, MobileNetV2's inverted residuals ReLU6 modules (coded as a ReLU
        // is, by the sign of the input). Either way the activation pattern is input > 0.
        var relus = model
            .modules()
            .Where(m => m is ReluConvBn or TorchSharp.Modules.ReLU or TorchSharp.Modules.ReLU6)
            .Cast<nn.Module<Tensor, Tensor>>();
        foreach (var module in relus)
            hooks.Add(
                module
                    .register_forward_hook(
                        (_, input, output) =>
                        {
                            using var scope = NewDisposeScope();
                            var codes = input.reshape(n, -1).gt(zero).to(float64);
                            var inactive = ones_like(codes).sub_(codes);
                            kernel
                                .add_(codes.matmul(codes.t()), SafeTorch.One)
                                .add_(inactive.matmul(inactive.t()), SafeTorch.One);
                            return output;
                        }
                    )
                    .remove
            );
        try
        {
            model.eval();
            using (no_grad())
            using (NewDisposeScope())
                model.call(images);
        }
        finally
        {
            foreach (var remove in hooks)
                remove();
        }
        using var scope2 = NewDisposeScope();
        // A tiny ridge keeps the score finite when two images share every pattern (a cell that cuts the signal).
        using var ridge = 1e-6.ToScalar(); // held through the native call (SafeTorch.One says why)
        var (_, logabsdet) = linalg.slogdet(kernel.add(eye(n, dtype: float64).mul_(ridge), SafeTorch.One));
        return logabsdet.item<double>();
    }
}
