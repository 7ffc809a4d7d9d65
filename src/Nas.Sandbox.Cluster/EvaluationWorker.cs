using Orleans.Concurrency;

namespace Nas.Sandbox.Cluster;

/// <summary>
/// The grain a <c>nas worker</c> silo answers as: keyed by the silo's name and placed only on the silo whose role
/// (its name) that is, so a race reaches a given worker, and a call for a worker that died finds no silo to
/// activate on and fails instead of landing somewhere else. Reentrant: every slot evaluates at once, and pings are
/// answered while they train. Its state lives in the silo's <see cref="WorkerSlots"/>, so a deactivation loses nothing.
/// </summary>
[NamedSiloPlacement]
[Reentrant]
internal sealed class EvaluationWorker(WorkerSlots slots) : Grain, IEvaluationWorker
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        if (key != slots.Card.Name)
            throw new InvalidOperationException($"worker '{key}' is not this silo ('{slots.Card.Name}')");
        return Task.CompletedTask;
    }

    public Task<WorkerCard> Describe() => Task.FromResult(slots.Card);

    // Starting the slots' processes and loading data takes seconds: off the grain's scheduler.
    public Task<string?> Prepare(string setupJson) => Task.Run(() => slots.Prepare(setupJson));

    public async Task<string> Evaluate(string setupHash, string callId, string requestJson)
    {
        string reply = await Task.Run(() => slots.EvaluateAsync(setupHash, callId, requestJson));
        if (slots.LoseReply?.Invoke(callId) == true)
            await Task.Delay(TimeSpan.FromSeconds(30)); // a test's fault: the reply is held back, as if it were lost
        if (slots.FailReply?.Invoke(callId) == true)
            // A test's fault: the call fails after its evaluation, as when the gateway worker it went through leaves.
            throw new InvalidOperationException($"the call {callId} failed on its way back (a test's fault)");
        return reply;
    }

    public Task<string[]> CallStates(string[] callIds) => Task.FromResult(slots.CallStates(callIds));

    public Task<string> Ping() => Task.FromResult(slots.IsLeaving ? WorkerSlots.Leaving : WorkerSlots.Ready);
}
