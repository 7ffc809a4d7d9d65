using System.Collections.Concurrent;
using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Hosting;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// One strategy build raced in contestant processes: the same name, description and knobs as the build, but each
/// instance lives in a process of its own. Processes are kept between instances (a heat's instance is disposed, the
/// next heat's is made in the same process), so a script is compiled once per contestant, not once per heat; a process
/// that crashed or was stopped is never reused.
/// </summary>
internal sealed class IsolatedStrategyFactory(StrategyEntry entry, ContestantProcesses owner) : IStrategyFactory
{
    private readonly ConcurrentBag<ContestantProcess> _idle = [];
    private readonly ConcurrentDictionary<ContestantProcess, byte> _all = new();

    public StrategyEntry Entry { get; } = entry;
    public string Name => Entry.Factory.Name;
    public string Description => Entry.Factory.Description;
    public IReadOnlyList<Knob> Knobs => Entry.Factory.Knobs;
    public TimeSpan CallTimeout => owner.CallTimeout;

    /// <summary>Makes sure an idle process is ready, starting one if needed: the referee calls this outside the contestant's call timeout.</summary>
    public void Prepare()
    {
        if (_idle.Any(p => p.Usable))
            return;
        _idle.Add(Start());
    }

    public IStrategy Create(KnobValues knobs)
    {
        var process = TakeIdle() ?? Start();
        JObject reply;
        try
        {
            reply = process.Call(
                new JObject { ["op"] = "create", ["knobs"] = JObject.FromObject(knobs.All) },
                CallTimeout
            );
        }
        catch (ContestantProcessException)
        {
            Forget(process);
            throw;
        }
        if ((string?)reply["error"] is { } error)
        {
            _idle.Add(process);
            if ((string?)reply["kind"] == "knob")
                throw new KnobException(error);
            throw new ContestantCodeException(error);
        }
        return new IsolatedStrategy(this, process);
    }

    private ContestantProcess? TakeIdle()
    {
        while (_idle.TryTake(out var process))
        {
            if (process.Usable)
                return process;
            Forget(process);
        }
        return null;
    }

    private ContestantProcess Start()
    {
        var process = ContestantProcess.Start(owner.Start, owner.Setup(Entry), owner.StartTimeout);
        _all[process] = 0;
        return process;
    }

    /// <summary>An instance was disposed cleanly: its process takes the next instance.</summary>
    public void Return(ContestantProcess process)
    {
        if (process.Usable)
            _idle.Add(process);
        else
            Forget(process);
    }

    private void Forget(ContestantProcess process)
    {
        _all.TryRemove(process, out _);
        process.Dispose();
    }

    /// <summary>Ends every process of this build, idle or racing (the race is over).</summary>
    public void StopAll()
    {
        foreach (var process in _all.Keys)
        {
            try
            {
                process.Dispose();
            }
            catch (Exception) { } // best effort: a process that will not go is killed by Dispose already
        }
        _all.Clear();
        _idle.Clear();
    }
}
