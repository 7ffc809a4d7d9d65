using System.Diagnostics;
using Nas.Sandbox.Core.Training;

namespace Nas.Sandbox.Cli;

/// <summary>
/// A progress bar on stderr for <c>nas train</c>: the epoch, a bar over its batches, images/s and the epoch's ETA,
/// redrawn at most 4 times a second on a terminal; when stderr is redirected (a log), one line per finished epoch.
/// </summary>
internal sealed class TrainingProgressBar(TextWriter output)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _redraw = Stopwatch.StartNew();
    private (long Seed, int Epoch) _current = (-1, -1);

    public void Report(TrainingProgress p)
    {
        if ((p.Seed, p.Epoch) != _current)
        {
            _current = (p.Seed, p.Epoch);
            _epochClock.Restart();
        }
        bool last = p.Batch == p.Batches;
        if (!last && (!_terminal || _redraw.ElapsedMilliseconds < 250))
            return;
        _redraw.Restart();
        double elapsed = _epochClock.Elapsed.TotalSeconds;
        var eta = TimeSpan.FromSeconds(elapsed / p.Batch * (p.Batches - p.Batch));
        const int width = 24;
        int filled = width * p.Batch / p.Batches;
        string line =
            $"seed {p.Seed} epoch {p.Epoch}/{p.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] "
            + $"{p.Batch}/{p.Batches} loss {p.Loss:0.000} "
            + (last ? $"{elapsed:0.0} s" : $"ETA {eta:m\\:ss}");
        if (_terminal)
            output.Write("\r" + line.PadRight(Console.BufferWidth > 0 ? Math.Min(Console.BufferWidth - 1, 100) : 100));
        if (last)
            output.Write(_terminal ? "\n" : line + "\n");
    }

    public void Done() => output.Flush();
}
