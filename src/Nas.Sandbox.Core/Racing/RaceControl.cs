namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// How a user steers a running race from another thread (the TUI): pause, resume, step one trial, add or remove a
/// contestant, restart the heat. Commands are queued here and applied by the referee between trials, on its own
/// thread, so a trial in progress always finishes and is journaled first.
/// </summary>
public sealed class RaceControl
{
    private readonly object _gate = new();
    private readonly Queue<RaceCommand> _commands = new();
    private bool _paused;
    private int _steps;
    private bool _held;
    private TaskCompletionSource _signal = NewSignal();
    private TaskCompletionSource _waiting = NewSignal();

    public RaceControl(bool startPaused = false) => _paused = startPaused;

    public bool IsPaused
    {
        get
        {
            lock (_gate)
                return _paused;
        }
    }

    /// <summary>True while the referee is held by a pause (no trial is running); false while a trial may still be finishing.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_gate)
                return _held;
        }
    }

    public void Pause() => Update(() => _paused = true);

    public void Resume() =>
        Update(() =>
        {
            _paused = false;
            _steps = 0;
        });

    public void TogglePause() =>
        Update(() =>
        {
            _paused = !_paused;
            _steps = 0;
        });

    /// <summary>While paused, lets exactly one more trial run (and pauses again after it). Ignored while running.</summary>
    public void Step() =>
        Update(() =>
        {
            if (_paused)
                _steps++;
        });

    public void Add(ContestantSpec contestant) => Enqueue(new AddContestant(contestant));

    public void Remove(string label) => Enqueue(new RemoveContestant(label));

    public void RestartHeat() => Enqueue(new RestartHeat());

    /// <summary>
    /// Completes when the referee is held by a pause with nothing left to do: at once if it is held now, else the next
    /// time it is (for tests and tools). A command given since the referee was held counts as not held until it is
    /// applied.
    /// </summary>
    public Task WhenHeld()
    {
        lock (_gate)
            return _held ? Task.CompletedTask : _waiting.Task;
    }

    internal bool TryTakeCommand(out RaceCommand command)
    {
        lock (_gate)
            return _commands.TryDequeue(out command!);
    }

    /// <summary>
    /// Returns true when a trial may start now, false when commands arrived that the referee should apply first.
    /// Blocks (asynchronously) while paused.
    /// </summary>
    internal async Task<bool> WaitForTurnAsync(CancellationToken cancellation)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                _held = false;
                if (_commands.Count > 0)
                    return false;
                if (!_paused)
                    return true;
                if (_steps > 0)
                {
                    _steps--;
                    return true;
                }
                _held = true;
                signal = _signal.Task;
                var held = _waiting;
                _waiting = NewSignal();
                held.TrySetResult();
            }
            try
            {
                await signal.WaitAsync(cancellation);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                    _held = false;
                throw;
            }
        }
    }

    private void Enqueue(RaceCommand command) => Update(() => _commands.Enqueue(command));

    private void Update(Action change)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            change();
            _held = false;
            signal = _signal;
            _signal = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A queued user command; applied by the referee between trials.</summary>
internal abstract record RaceCommand;

internal sealed record AddContestant(ContestantSpec Contestant) : RaceCommand;

internal sealed record RemoveContestant(string Label) : RaceCommand;

internal sealed record RestartHeat : RaceCommand;
