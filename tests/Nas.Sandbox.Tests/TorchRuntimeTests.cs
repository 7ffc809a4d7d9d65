using static TorchSharp.torch;

namespace Nas.Sandbox.Tests;

[Collection(TorchGeneratorLane.Name)]
public class TorchRuntimeTests
{
    [Fact]
    public void Native_runtime_loads_and_runs_a_forward_and_backward_pass_in_the_test_host()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        y.item<float>().Should().Be(14f);
        x.grad!.data<float>().ToArray().Should().Equal(2f, 4f, 6f);
    }
}
