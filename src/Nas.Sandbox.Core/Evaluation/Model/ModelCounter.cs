using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>Size and compute of a network.</summary>
public readonly record struct ModelCost(long Parameters, long Flops);

/// <summary>
/// Counts parameters (trainable weights and biases; BatchNorm running statistics excluded, as NAS-Bench-201 does) and
/// FLOPs as NAS-Bench-201's counter does: multiply-accumulates of convolutions and linear layers plus k×k per output
/// element of pooling layers, for one image. FLOPs are measured with forward hooks on one forward pass, so operations
/// from plugins are counted too.
/// </summary>
public static class ModelCounter
{
    public static ModelCost Count(nn.Module<Tensor, Tensor> model, int inputChannels, int imageSize)
    {
        long parameters = model.parameters().Sum(p => p.numel());
        long flops = 0;
        var hooks = new List<Action>();
        try
        {
            // The model itself too: TorchSharp's named_modules() leaves it out, so a bare layer would count nothing.
            foreach (var module in model.named_modules().Select(m => m.module).Prepend(model).Distinct())
            {
                switch (module)
                {
                    case Conv2d conv:
                        hooks.Add(
                            conv.register_forward_hook(
                                (_, _, output) =>
                                {
                                    long perOutput =
                                        conv.in_channels
                                        / conv.groups
                                        * conv.kernel_size.Aggregate(1L, (a, k) => a * k);
                                    flops += output.numel() * perOutput + (conv.bias is null ? 0 : output.numel());
                                    return output;
                                }
                            ).remove
                        );
                        break;
                    case Linear linear:
                        hooks.Add(
                            linear
                                .register_forward_hook(
                                    (_, input, output) =>
                                    {
                                        flops +=
                                            output.numel() * input.shape[^1]
                                            + (linear.bias is null ? 0 : output.numel());
                                        return output;
                                    }
                                )
                                .remove
                        );
                        break;
                    case AvgPool2d avg:
                        hooks.Add(PoolHook(avg, avg.kernel_size));
                        break;
                    case MaxPool2d max:
                        hooks.Add(PoolHook(max, max.kernel_size));
                        break;
                }
            }
            BlankImagePass.Run(model, inputChannels, imageSize, withGradient: false);
        }
        finally
        {
            foreach (var remove in hooks)
                remove();
        }
        return new ModelCost(parameters, flops);

        // Pooling: k×k operations per output element.
        Action PoolHook(nn.Module<Tensor, Tensor> pool, long[] kernel) =>
            pool.register_forward_hook(
                (_, _, output) =>
                {
                    flops += output.numel() * kernel.Aggregate(1L, (a, k) => a * k);
                    return output;
                }
            ).remove;
    }
}
