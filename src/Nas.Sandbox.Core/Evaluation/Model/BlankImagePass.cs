using static TorchSharp.torch;

namespace Nas.Sandbox.Core.Evaluation.Model;

/// <summary>
/// One forward pass of a blank image through a network, for the hooks of whoever inspects it (ModelCounter,
/// ConvolutionCheck). In eval mode, since batch norm in training mode refuses a batch of one; the mode is restored.
/// </summary>
internal static class BlankImagePass
{
    /// <param name="withGradient">
    /// Track gradients, so that a hook sees which layers' inputs need one (false: cheaper, for counting).
    /// </param>
    public static void Run(nn.Module<Tensor, Tensor> model, int inputChannels, int imageSize, bool withGradient)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = withGradient ? enable_grad() : no_grad();
            using var scope = NewDisposeScope();
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            model.call(zeros(1, inputChannels, imageSize, imageSize, device: device));
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
