using System.Collections.Concurrent;

namespace Nas.Sandbox.Cluster;

// What the dispatcher knows of each worker, and of each call waiting for a worker's reply.
public sealed partial class ClusterDispatcher
{
    private sealed class Worker(WorkerCard card, IEvaluationWorker grain)
    {
        public WorkerCard Card { get; } = card;
        public IEvaluationWorker Grain { get; } = grain;
        public int Free { get; set; } = card.Slots;
        public bool Gone { get; set; }
        public bool Leaving { get; set; }
        public bool Usable => !Gone && !Leaving;
        public int MissedPings { get; set; }

        /// <summary>When it was last given a trial (the dispatcher's count of trials given).</summary>
        public long LastGiven { get; set; }
        public TaskCompletionSource Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The race's calls waiting for this worker's reply, by call id.</summary>
        public ConcurrentDictionary<string, ReplyWatch> Calls { get; } = new();
    }

    /// <summary>
    /// How long a reply may be missing after the worker says its call finished, or a call unknown to the worker: one
    /// in transit arrives within milliseconds; one dropped with a gateway worker that left never does.
    /// </summary>
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// One call's wait for its reply: <see cref="Lost"/> completes once the worker has said, for <see cref="ReplyGrace"/>,
    /// that the call finished or that it never received it.
    /// </summary>
    private sealed class ReplyWatch
    {
        private readonly object _gate = new();
        private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private DateTime? _finishedSeen;

        public Task Lost
        {
            get
            {
                lock (_gate)
                    return _lost.Task;
            }
        }

        /// <summary>One ping round's answer: running (all is well), or finished or unknown since when it was first seen so.</summary>
        public void Seen(bool running, DateTime now)
        {
            lock (_gate)
            {
                if (running)
                {
                    _finishedSeen = null;
                    return;
                }
                _finishedSeen ??= now;
                if (now - _finishedSeen >= ReplyGrace)
                    _lost.TrySetResult();
            }
        }

        /// <summary>Asked again: a new wait, from scratch.</summary>
        public void Renew()
        {
            lock (_gate)
            {
                _finishedSeen = null;
                _lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
