using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing;

namespace Nas.Sandbox.Tui.Tests;

/// <summary>A strategy that samples the space at random.</summary>
internal sealed class SamplingStrategy(string name) : IStrategyFactory
{
    public string Name => name;
    public string Description => "samples at random";
    public IReadOnlyList<Knob> Knobs => [];

    public IStrategy Create(KnobValues knobs) => new Sampler();

    public StrategyEntry Entry() => new(this, new StrategySource(StrategySource.BuiltInPack, "tests", "1.0.0"));

    private sealed class Sampler : IStrategy
    {
        public Architecture Ask(SearchContext context) => context.Space.Sample(context.Random);

        public void Tell(Trial trial) { }
    }
}

/// <summary>
/// Scores an architecture by its share of 3x3 convolutions. Each evaluation waits for the test to let it through
/// (<see cref="Allow"/>), so a test knows exactly how many trials can have run, without sleeping.
/// </summary>
internal sealed class GatedEstimator(bool open = false) : IEstimator, IDisposable
{
    private readonly SemaphoreSlim _gate = new(open ? int.MaxValue / 2 : 0);
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _started;

    public string Name => "gated";
    public int Started
    {
        get
        {
            lock (_waiters)
                return _started;
        }
    }

    /// <summary>Completes once <paramref name="evaluations"/> evaluations have started.</summary>
    public Task WhenStarted(int evaluations)
    {
        lock (_waiters)
        {
            if (_started >= evaluations)
                return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((evaluations, signal));
            return signal.Task;
        }
    }

    public void Allow(int evaluations) => _gate.Release(evaluations);

    public void Open() => _gate.Release(int.MaxValue / 2);

    public void Dispose() => _gate.Dispose();

    public async Task<EvaluationResult> EvaluateAsync(
        Architecture architecture,
        EvaluationRequest request,
        CancellationToken cancellation
    )
    {
        lock (_waiters)
        {
            _started++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _started).ToArray())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
        await _gate.WaitAsync(cancellation);
        double accuracy = 0.1 + 0.8 * architecture.Choices.Count(c => c == "nor_conv_3x3") / 6.0;
        return new EvaluationResult
        {
            Status = TrialStatus.Ok,
            Metrics = new Metrics { ValidationAccuracy = accuracy },
            CostSeconds = 1,
            Fidelity = request.Fidelity,
        };
    }
}

internal sealed class NoJournal : IRaceJournal
{
    public void Append(RaceEvent raceEvent) { }
}
