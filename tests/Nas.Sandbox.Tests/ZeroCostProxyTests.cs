using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Estimators;
using Nas.Sandbox.Core.Estimators.ZeroCost;
using Nas.Sandbox.Core.Evaluation.Operations;
using Nas.Sandbox.Core.Spaces;

namespace Nas.Sandbox.Tests;

/// <summary>Each zero-cost proxy scores untrained networks finitely and tells a cell that computes from one that does not.</summary>
[Collection(TorchGeneratorLane.Name)]
public class ZeroCostProxyTests
{
    private static readonly Nb201Space Space = new();
    private static readonly Architecture Nothing = Space.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
    private static readonly Architecture Convolutions = Space.Parse(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    );

    public static TheoryData<string> Proxies => new(ZeroCostProxy.All.Select(p => p.Name));

    private static ZeroCostEstimator Estimator(string name)
    {
        var data = TestData.FashionMnistSubset;
        var network = new TrainingEstimator(
            data,
            OperationRegistry.CreateDefault(),
            new TrainingSettings
            {
                Channels = 8,
                CellsPerStage = 1,
                BatchSize = 32,
            }
        );
        return new ZeroCostEstimator(ZeroCostProxy.All.Single(p => p.Name == name), network, data, batchSize: 32);
    }

    [Theory]
    [MemberData(nameof(Proxies))]
    public void Scores_are_finite_and_a_no_op_cell_ranks_below_a_convolutional_one(string proxy)
    {
        var estimator = Estimator(proxy);
        var request = new EvaluationRequest { Seed = 7, DataSeed = 3 };
        var nothing = estimator.Evaluate(Nothing, request);
        var convolutions = estimator.Evaluate(Convolutions, request);
        nothing.Status.Should().Be(TrialStatus.Ok, nothing.Message);
        convolutions.Status.Should().Be(TrialStatus.Ok, convolutions.Message);
        nothing.Metrics.Score.Should().NotBeNull();
        double.IsFinite(nothing.Metrics.Score!.Value).Should().BeTrue();
        double.IsFinite(convolutions.Metrics.Score!.Value).Should().BeTrue();
        convolutions.Metrics.Score.Should().BeGreaterThan(nothing.Metrics.Score.Value);
        convolutions.Metrics.ValidationAccuracy.Should().BeNull("a proxy's score is never passed off as an accuracy");
    }

    [Theory]
    [MemberData(nameof(Proxies))]
    public void The_same_seed_gives_the_same_score(string proxy)
    {
        var estimator = Estimator(proxy);
        var request = new EvaluationRequest { Seed = 5, DataSeed = 1 };
        estimator
            .Evaluate(Convolutions, request)
            .Metrics.Score.Should()
            .Be(estimator.Evaluate(Convolutions, request).Metrics.Score);
    }
}
