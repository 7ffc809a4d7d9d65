using Nas.Sandbox.Abstractions;
using Nas.Sandbox.Core.Journal;
using Nas.Sandbox.Core.Racing.Training;
using Newtonsoft.Json.Linq;

namespace Nas.Sandbox.Core.Racing.Isolation;

/// <summary>
/// A strategy instance that lives in a contestant process: Ask and Tell go over the pipe. When the process dies or a
/// call overruns, the instance is dead (<see cref="Dead"/>) and the referee rebuilds the contestant by replay in a
/// fresh process. Disposing a live instance disposes the strategy there and hands the process back for the next one.
/// </summary>
internal sealed class IsolatedStrategy : IStrategy, IDisposable
{
    private readonly IsolatedStrategyFactory _owner;
    private ContestantProcess? _process;
    private TrainingKit? _kit;

    public IsolatedStrategy(IsolatedStrategyFactory owner, ContestantProcess process) =>
        (_owner, _process) = (owner, process);

    /// <summary>Seed of the next ask's <see cref="SearchContext.Random"/>, set by the referee (the process makes the same Random from it).</summary>
    public int AskSeed { get; set; }

    /// <summary>The process is gone or was stopped: this instance can take no more calls.</summary>
    public bool Dead => _process is not { Usable: true };

    /// <summary>The process died on its own (not stopped after an overrun).</summary>
    public bool Crashed { get; private set; }

    public Architecture Ask(SearchContext context)
    {
        // The race's kit for this contestant: the process makes its own copy from the same seeds.
        _kit = context.TrainingSetup as TrainingKit ?? _kit;
        var reply = Call(
            new JObject
            {
                ["op"] = "ask",
                ["seed"] = AskSeed,
                ["index"] = context.AskIndex,
                ["evaluationBudget"] = context.EvaluationBudget,
                ["secondsBudget"] = context.SecondsBudget,
                ["evaluationsUsed"] = context.EvaluationsUsed,
                ["secondsUsed"] = context.SecondsUsed,
                ["kit"] = context.TrainingSetup is TrainingKit kit
                    ? new JObject { ["dataSeed"] = kit.DataSeed, ["seed"] = kit.WeightSeed }
                    : null,
            }
        );
        if ((string?)reply["arch"] is not { } key)
            return null!; // the referee reports a null answer
        try
        {
            return context.Space.Parse(key);
        }
        catch (ArchitectureFormatException)
        {
            // Not a key of this space: handed back as it came, so the referee reports it as outside the space.
            return new Architecture(key, [key]);
        }
    }

    public void Tell(Trial trial) =>
        Call(new JObject { ["op"] = "tell", ["trial"] = JournalFormat.ToJson(new TrialFinished("", 0, trial, null)) });

    private JObject Call(JObject request)
    {
        var process = _process
            ?? throw new ContestantProcessException(
                "its process was stopped after an earlier call overran",
                crashed: false
            );
        JObject reply;
        try
        {
            reply = process.Call(request, _owner.CallTimeout);
        }
        catch (ContestantProcessException e)
        {
            Crashed |= e.Crashed;
            _process = null;
            process.Dispose();
            throw;
        }
        if (reply["kit"] is JObject used)
            _kit?.RecordRemoteUse((double?)used["hostSeconds"] ?? 0);
        if ((string?)reply["error"] is { } error)
            throw new ContestantCodeException(error);
        return reply;
    }

    public void Dispose()
    {
        var process = _process;
        _process = null;
        if (process is null)
            return;
        try
        {
            var reply = process.Call(new JObject { ["op"] = "dispose" }, _owner.CallTimeout);
            if ((string?)reply["error"] is { } error)
            {
                _owner.Return(process);
                throw new ContestantCodeException(error);
            }
            _owner.Return(process);
        }
        catch (ContestantProcessException)
        {
            process.Dispose();
            throw;
        }
    }
}

/// <summary>The contestant's own code threw in its process; the message is the exception's type and message there.</summary>
public sealed class ContestantCodeException(string message) : Exception(message);
