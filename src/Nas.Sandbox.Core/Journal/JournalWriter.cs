using System.Text;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// Appends race events to a JSON-lines file. Each line is written whole and flushed to the operating system before
/// <see cref="Append"/> returns, so it survives a crash of the process. Trial lines of paid evaluations are also
/// flushed to disk (fsync), so they survive a crash of the machine too. With <c>syncTrials: false</c> (tabular races,
/// where a trial is a lookup that costs nothing to redo) trial lines are also batched: handed to the operating system
/// at least every <see cref="BatchInterval"/> and with every other event, and synced to disk at the end of each heat
/// and of the race. A crash can then lose the latest lookups (redone identically on resume), never a paid evaluation.
/// The file is opened for append: an existing journal is never truncated.
/// </summary>
public sealed class JournalWriter : IRaceJournal, IDisposable
{
    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    public static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(50);
    private readonly bool _syncTrials;
    private readonly System.Diagnostics.Stopwatch _sinceFlush = System.Diagnostics.Stopwatch.StartNew();
    private readonly Timer? _flusher;
    private bool _dirty;

    public JournalWriter(string path, bool syncTrials = true)
    {
        _syncTrials = syncTrials;
        if (!syncTrials) _flusher = new Timer(_ => FlushBatch(), null, BatchInterval, BatchInterval);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        try { _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: syncTrials ? 4096 : 1 << 20); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"Cannot open journal {Path}: {e.Message}", e);
        }
    }

    public string Path { get; }

    /// <summary>
    /// Cuts a torn last line (a crash mid-write) off a journal before more is appended to it, so that it does not
    /// end up in the middle of the file, where readers refuse it. Returns the bytes cut.
    /// </summary>
    public static long TruncateTornTail(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        long end = stream.Length;
        if (end == 0) return 0;
        var buffer = new byte[1];
        long keep = end;
        // Walk back to the last newline: everything after it is the torn line.
        while (keep > 0)
        {
            stream.Position = keep - 1;
            stream.ReadExactly(buffer);
            if (buffer[0] == (byte)'\n') break;
            keep--;
        }
        if (keep == end) return 0;
        stream.SetLength(keep);
        stream.Flush(flushToDisk: true);
        return end - keep;
    }

    private readonly StringBuilder _text = new();

    public void Append(RaceEvent raceEvent)
    {
        lock (_lock)
        {
            _text.Clear();
            using (var writer = new JsonTextWriter(new StringWriter(_text)) { Formatting = Formatting.None })
            {
                if (raceEvent is TrialFinished trial) JournalFormat.WriteTrial(writer, trial);
                else JournalFormat.ToJson(raceEvent).WriteTo(writer);
            }
            _text.Append('\n');
            string line = _text.ToString();
            int length = Encoding.UTF8.GetByteCount(line);
            if (_buffer.Length < length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
            int written = Encoding.UTF8.GetBytes(line, _buffer);
            _stream.Write(_buffer, 0, written);
            if (raceEvent is TrialFinished && !_syncTrials && _sinceFlush.Elapsed < BatchInterval)
            {
                _dirty = true;
                return;
            }
            _stream.Flush(flushToDisk: raceEvent is TrialFinished ? _syncTrials : raceEvent is HeatFinished or RaceFinished);
            _dirty = false;
            _sinceFlush.Restart();
        }
    }

    /// <summary>Hands batched trial lines to the operating system when no event has done it for a while (a paused race).</summary>
    private void FlushBatch()
    {
        lock (_lock)
        {
            if (!_dirty || _closed) return;
            _stream.Flush(flushToDisk: false);
            _dirty = false;
            _sinceFlush.Restart();
        }
    }

    private bool _closed;

    private byte[] _buffer = new byte[4096];

    public void Dispose()
    {
        _flusher?.Dispose();
        lock (_lock)
        {
            _closed = true;
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
        }
    }
}

/// <summary>A journal that keeps nothing (for callers that only want the events).</summary>
public sealed class NullJournal : IRaceJournal
{
    public void Append(RaceEvent raceEvent) { }
}
