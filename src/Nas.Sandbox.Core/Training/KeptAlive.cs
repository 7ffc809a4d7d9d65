using Nas.Sandbox.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Training;

/// <summary>
/// TorchSharp optimizers made safe to call from .NET's garbage-collected world (see <see cref="SGD"/>; <see cref="Adam"/>
/// for the same reason; the contracts' <see cref="SafeTorch"/> does the same for addition and batch norm, and a test reads
/// the product's IL for any call that would make an unheld Scalar). Internal, and compiled into each assembly that trains
/// (Nas.Sandbox.Core; the gradient pack links this file, since a pack references only the contracts), so that it is no
/// contract.
/// </summary>
internal static class KeptAlive
{
    /// <summary>
    /// TorchSharp's SGD with the same arithmetic, but every <see cref="Scalar"/> it hands to libtorch held in a variable
    /// until the call has returned. TorchSharp 0.107's own step converts doubles to Scalars implicitly
    /// (<c>grad.add(param, alpha: weight_decay)</c>); such a Scalar is a native handle freed by its finalizer, and nothing
    /// keeps it alive once its handle has been read, so a garbage collection during the native call can free it while
    /// libtorch reads it. That showed as a rare "Expected false to be true" from <c>c10::Scalar::toFloat</c> in
    /// <c>SGD.step</c>, about once in thousands of steps (a failed race trial, a killed <c>nas train</c>). The state,
    /// parameter groups, learning-rate schedules and checkpoints are TorchSharp's, unchanged.
    /// </summary>
    /// <remarks>
    /// It is named <c>SGD</c> on purpose: TorchSharp writes the optimizer's type name into a saved state and refuses to load
    /// a state whose name differs, so under this name checkpoints written by TorchSharp's own SGD (every checkpoint before
    /// this class) resume here, and ours load into TorchSharp's. Write it <c>KeptAlive.SGD</c> so readers see which one.
    /// </remarks>
    public sealed class SGD(
        IEnumerable<Parameter> parameters,
        double learningRate,
        double momentum,
        double weightDecay,
        bool nesterov
    ) : TorchSharp.Modules.SGD(parameters, learningRate, momentum, 0, weightDecay, nesterov)
    {
        public override Tensor step(Func<Tensor>? closure = null) =>
            _step<ParamGroup>(
                group =>
                {
                    var options = (Options)group.Options;
                    double momentum = options.momentum!.Value,
                        dampening = options.dampening!.Value,
                        weightDecay = options.weight_decay!.Value,
                        learningRate = options.LearningRate!.Value;
                    bool nesterov = options.nesterov!.Value,
                        maximize = options.maximize!.Value;
                    using Scalar decay = weightDecay.ToScalar(),
                        keep = momentum.ToScalar(),
                        undamped = (1 - dampening).ToScalar(),
                        rate = (maximize ? learningRate : -learningRate).ToScalar();
                    foreach (var param in group.Parameters)
                    {
                        var state = (State)_state[param.Handle];
                        var grad = param.grad;
                        if (grad is null)
                            continue;
                        if (weightDecay != 0)
                            grad = grad.add(param, decay);
                        if (momentum != 0)
                        {
                            var buffer = state.momentum_buffer;
                            if (buffer is null)
                            {
                                buffer = grad.clone().detach().DetachFromDisposeScope();
                                state.momentum_buffer = buffer;
                            }
                            else
                                buffer.mul_(keep).add_(grad, undamped);
                            grad = nesterov ? grad.add(buffer, keep) : buffer;
                        }
                        param.add_(grad, rate);
                    }
                },
                closure
            );
    }

    /// <summary>
    /// TorchSharp's Adam (L2 weight decay on the gradient, optional AMSGrad) with the same arithmetic, but every
    /// <see cref="Scalar"/> it hands to libtorch held in a variable until the call has returned, for the reason given on
    /// <see cref="SGD"/>: TorchSharp 0.107's own step converts about seven doubles per parameter to Scalars implicitly.
    /// The supernet strategies (DARTS, GDAS) step their architecture weights α with it. Named <c>Adam</c> so that a saved
    /// state loads under either class, as with <see cref="SGD"/>.
    /// </summary>
    public sealed class Adam(
        IEnumerable<Parameter> parameters,
        double learningRate,
        double beta1,
        double beta2,
        double weightDecay,
        double eps = 1e-8,
        bool amsgrad = false
    ) : TorchSharp.Modules.Adam(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
        public override Tensor step(Func<Tensor>? closure = null) =>
            _step<ParamGroup>(
                group =>
                {
                    var options = (Options)group.Options;
                    double beta1 = options.beta1!.Value,
                        beta2 = options.beta2!.Value,
                        weightDecay = options.weight_decay!.Value,
                        eps = options.eps!.Value,
                        learningRate = options.LearningRate!.Value;
                    bool amsgrad = options.amsgrad!.Value,
                        maximize = options.maximize!.Value;
                    using Scalar decay = weightDecay.ToScalar(),
                        keep1 = beta1.ToScalar(),
                        take1 = (1 - beta1).ToScalar(),
                        keep2 = beta2.ToScalar(),
                        take2 = (1 - beta2).ToScalar(),
                        epsilon = eps.ToScalar();
                    foreach (var param in group.Parameters)
                    {
                        var state = (State)_state[param.Handle];
                        var grad = param.grad;
                        if (grad is null)
                            continue;
                        if (maximize)
                            grad = grad.neg();
                        state.step += 1;
                        double correction1 = 1 - Math.Pow(beta1, state.step),
                            correction2 = 1 - Math.Pow(beta2, state.step);
                        if (weightDecay != 0)
                            grad = grad.add(param, decay);
                        state.exp_avg.mul_(keep1).add_(grad, take1);
                        state.exp_avg_sq.mul_(keep2).addcmul_(grad, grad.conj(), take2);
                        var second = state.exp_avg_sq;
                        if (amsgrad)
                        {
                            var previous = state.max_exp_avg_sq;
                            state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                            previous.Dispose();
                            second = state.max_exp_avg_sq;
                        }
                        using Scalar root2 = Math.Sqrt(correction2).ToScalar(),
                            step = (-learningRate / correction1).ToScalar();
                        var denominator = second.sqrt().div_(root2).add_(epsilon, SafeTorch.One);
                        param.addcdiv_(state.exp_avg, denominator, step);
                    }
                },
                closure
            );
    }
}
