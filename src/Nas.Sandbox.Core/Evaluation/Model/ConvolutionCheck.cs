using System.Runtime.InteropServices;
using Nas.Sandbox.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// Refuses a network that libtorch would compute wrongly on CPU. The oneDNN that TorchSharp 0.107's libtorch 2.10
/// ships (v3.7.1) gives wrong results for a dense (ungrouped) convolution with a kernel larger than 1×1 whose channels
/// do not fill its register blocks (8 floats under the hosts' AVX2 cap, 16 with AVX-512): the input gradient is wrong
/// whenever the output channels are not a multiple of the block, and the forward pass whenever the input channels
/// (more than 4 of them) are not. The errors are large (relative 0.4-0.9) and sometimes NaN, every time, on one thread
/// or two; PyTorch 1.13 (oneDNN 2.6) on the same machine is exact. 1×1 and depthwise convolutions, and the weight
/// gradient, are right. This was the "NaN of tiny networks" (C=4) and the AVX-512 NaN (C=8 under 16-float blocks).
/// It happens on some CPUs and not on others, so the rule is applied where <see cref="ConvolutionProbe"/> finds it
/// (or everywhere with NAS_CONVOLUTION_CHECK=rule). Measured with <c>bench/Nas.Sandbox.ConvolutionCheck</c>; see
/// docs/reference/platform.md.
/// </summary>
public static class ConvolutionCheck
{
    /// <summary>
    /// Whether a network that trains on <paramref name="device"/> needs the check: only on CPU, where libtorch
    /// convolves with oneDNN (null: CPU). CUDA convolutions go through cuDNN, which this bug is not in; a CUDA build
    /// cannot be built or tested on the machines this was measured on (docs/reference/platform.md, "Device").
    /// </summary>
    public static bool AppliesTo(Device? device) => device is null || device.type == TorchSharp.DeviceType.CPU;

    /// <summary>
    /// Where the rule applies: <c>probe</c> (the default) where the probe finds libtorch miscomputing here;
    /// <c>rule</c> everywhere, so that a network is refused or trained alike on every machine.
    /// </summary>
    public const string ModeVariable = "NAS_CONVOLUTION_CHECK";

    /// <summary>
    /// Why the rule applies in this process (the probe's finding, or the variable), or null when it does not.
    /// Probes on the first call unless <see cref="ModeVariable"/> says <c>rule</c>.
    /// </summary>
    /// <exception cref="NasException">The variable holds another value.</exception>
    public static string? WhyTheRuleApplies()
    {
        if (RuleIsForced())
            return $"{ModeVariable}=rule";
        return ConvolutionProbe.WrongCase is { } wrong ? $"a probe found the {wrong} wrong on this CPU" : null;
    }

    /// <summary>Whether <see cref="ModeVariable"/> says <c>rule</c> (false when unset, empty or <c>probe</c>).</summary>
    /// <exception cref="NasException">The variable holds another value (hosts check it at start).</exception>
    public static bool RuleIsForced() =>
        Environment.GetEnvironmentVariable(ModeVariable) switch
        {
            null or "" or "probe" => false,
            "rule" => true,
            var other => throw new NasException($"{ModeVariable}={other}: expected probe (the default) or rule."),
        };

    /// <summary>Channels per oneDNN register block under the current CPU cap.</summary>
    public static int Block => TorchRuntime.OneDnnUsesAvx512 ? 16 : 8;

    /// <summary>
    /// Why libtorch would miscompute this convolution here, or null when it computes it right: what the rule
    /// (<see cref="RuleProblem"/>) says, where it applies (<see cref="WhyTheRuleApplies"/>).
    /// </summary>
    public static string? Problem(
        long channelsIn,
        long channelsOut,
        long kernelArea,
        long groups,
        bool inputNeedsGradient = true
    ) =>
        RuleProblem(channelsIn, channelsOut, kernelArea, groups, inputNeedsGradient) is { } problem
        && WhyTheRuleApplies() is not null
            ? problem
            : null;

    /// <summary>
    /// Why the oneDNN in this libtorch miscomputes this convolution on a CPU that has the bug, or null when it computes
    /// it right everywhere. <paramref name="inputNeedsGradient"/>: false for a layer on the images themselves, whose
    /// input gradient training never computes (a stem of 4 channels is then fine).
    /// </summary>
    public static string? RuleProblem(
        long channelsIn,
        long channelsOut,
        long kernelArea,
        long groups,
        bool inputNeedsGradient = true
    )
    {
        if (
            kernelArea <= 1
            || groups != 1
            || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64
        )
            return null;
        int block = Block;
        if (inputNeedsGradient && channelsOut % block != 0)
            return $"its {channelsOut} output channels are not a multiple of {block} (the input gradient comes out wrong)";
        if (channelsIn > 4 && channelsIn % block != 0)
            return $"its {channelsIn} input channels are not a multiple of {block} (the forward pass comes out wrong)";
        return null;
    }

    /// <summary>
    /// <paramref name="model"/>, or (disposed, then) the error of <see cref="ThrowIfMiscomputed"/>; unchecked when it is
    /// to train on another device than the CPU (<see cref="AppliesTo"/>).
    /// </summary>
    public static nn.Module<Tensor, Tensor> Checked(
        nn.Module<Tensor, Tensor> model,
        NetworkShape shape,
        string what,
        Device? trainsOn = null
    )
    {
        if (!AppliesTo(trainsOn))
            return model;
        try
        {
            ThrowIfMiscomputed(model, shape.InputChannels, shape.ImageSize, what);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The same check without running <paramref name="model"/>, for networks that cannot run before their owner sets
    /// them up (a gradient strategy's supernet mixes its operations by weights it sets per step). A convolution with
    /// <paramref name="inputChannels"/> input channels is taken to read the images (its input needs no gradient).
    /// Nothing is checked for a network that trains on another device than the CPU (<see cref="AppliesTo"/>).
    /// </summary>
    public static void ThrowIfMiscomputedWithoutRunning(
        nn.Module model,
        int inputChannels,
        string what,
        Device? trainsOn = null
    )
    {
        if (!AppliesTo(trainsOn))
            return;
        foreach (var (name, module) in model.named_modules().Prepend(("(network)", model)))
        {
            if (module is not Conv2d conv)
                continue;
            string? problem = Problem(
                conv.in_channels,
                conv.out_channels,
                conv.kernel_size.Aggregate(1L, (a, k) => a * k),
                conv.groups,
                inputNeedsGradient: conv.in_channels != inputChannels
            );
            if (problem is not null)
                throw Refusal(what, Describe(name, conv, problem));
        }
    }

    /// <summary>
    /// Throws, naming the first convolution of <paramref name="model"/> that libtorch would compute wrongly in training.
    /// One forward pass of a blank image (hooks see each convolution's input, so whether its gradient is needed, and
    /// convolutions a space or script applies however it likes are all seen).
    /// </summary>
    public static void ThrowIfMiscomputed(
        nn.Module<Tensor, Tensor> model,
        int inputChannels,
        int imageSize,
        string what
    )
    {
        string? first = null;
        var hooks = new List<Action>();
        try
        {
            foreach (var (name, module) in model.named_modules().Prepend(("(network)", model)))
            {
                if (module is not Conv2d conv)
                    continue;
                hooks.Add(
                    conv.register_forward_pre_hook(
                        (_, input) =>
                        {
                            string? problem = Problem(
                                conv.in_channels,
                                conv.out_channels,
                                conv.kernel_size.Aggregate(1L, (a, k) => a * k),
                                conv.groups,
                                input.requires_grad
                            );
                            first ??= problem is null ? null : Describe(name, conv, problem);
                            return input;
                        }
                    ).remove
                );
            }
            BlankImagePass.Run(model, inputChannels, imageSize, withGradient: true);
        }
        finally
        {
            foreach (var remove in hooks)
                remove();
        }
        if (first is not null)
            throw Refusal(what, first);
    }

    private static string Describe(string name, Conv2d conv, string problem) =>
        $"convolution '{name}' ({conv.in_channels}→{conv.out_channels}, {string.Join("×", conv.kernel_size)}) "
        + $"cannot be trained here: {problem}";

    private static NasException Refusal(string what, string problem) =>
        new(
            $"{what}: {problem}. libtorch 2.10's oneDNN miscomputes such convolutions on some CPUs "
                + $"({WhyTheRuleApplies()}); choose channel counts that are multiples of {Block} "
                + "(see docs/reference/platform.md, \"Convolutions libtorch gets wrong\")."
        );
}
