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
/// The file is appended to, never truncated (except for a torn last line on <c>repairTornTail</c>), and locked against
/// other nas processes while the writer is open (<see cref="JournalLock"/>).
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

    /// <summary>
    /// Opens (or creates) the journal at <paramref name="path"/> for appending and locks it; a second writer, in this
    /// process or another, fails with a <see cref="NasException"/> until this one is disposed. With
    /// <paramref name="repairTornTail"/> (resuming), the tail a crash left after the last newline is repaired first,
    /// under the lock and through this writer's own file: see <see cref="JournalTail"/>.
    /// </summary>
    public JournalWriter(string path, bool syncTrials = true, bool repairTornTail = false)
        : this(path, FileMode.OpenOrCreate, syncTrials, repairTornTail) { }

    private JournalWriter(string path, FileMode mode, bool syncTrials, bool repairTornTail)
    {
        _syncTrials = syncTrials;
        Path = System.IO.Path.GetFullPath(path);
        FileStream? stream = null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            // Read access too: the repair reads the tail. FileShare.Read: readers (nas pareto) may watch a live race.
            stream = new FileStream(
                Path,
                mode,
                FileAccess.ReadWrite,
                FileShare.Read,
                bufferSize: syncTrials ? 4096 : 1 << 20
            );
            JournalLock.Acquire(stream, Path);
            LengthAtOpen = stream.Length;
            if (repairTornTail)
                Repaired = Repair(stream);
            stream.Seek(0, SeekOrigin.End);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NasException)
        {
            stream?.Dispose();
            if (e is NasException)
                throw;
            // Windows: FileShare.Read refused this writer because another has the journal open for writing.
            if (OperatingSystem.IsWindows() && (e.HResult & 0xFFFF) == 32)
                throw JournalLock.InUse(Path, null);
            if (mode == FileMode.CreateNew && File.Exists(Path))
                throw new JournalExistsException(Path, e);
            throw new NasException($"cannot append to journal {Path}: {e.Message}", e);
        }
        _stream = stream;
        if (!syncTrials)
            _flusher = new Timer(_ => FlushBatch(), null, BatchInterval, BatchInterval);
    }

    /// <summary>
    /// A new journal at <paramref name="path"/>, or when another process just created that file, beside it with a
    /// counter (<c>NAME-2.jsonl</c>, ...): never an existing file, so two races started at once never share one.
    /// </summary>
    public static JournalWriter CreateNew(string path, bool syncTrials = true)
    {
        string stem = System.IO.Path.ChangeExtension(path, null),
            extension = System.IO.Path.GetExtension(path);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return new JournalWriter(
                    attempt == 1 ? path : $"{stem}-{attempt}{extension}",
                    FileMode.CreateNew,
                    syncTrials,
                    repairTornTail: false
                );
            }
            catch (JournalExistsException) when (attempt < 100) { }
        }
    }

    public string Path { get; }

    /// <summary>The journal's length in bytes when this writer opened it (before any repair): 0 for a new or empty file.</summary>
    public long LengthAtOpen { get; }

    /// <summary>What the repair did to the journal's tail: nothing, cut a torn line, or completed an event with its newline.</summary>
    public TailRepair Repaired { get; }

    private static TailRepair Repair(FileStream stream)
    {
        var tail = JournalTail.Read(stream);
        if (tail.Event is not null)
        {
            stream.Seek(0, SeekOrigin.End);
            stream.WriteByte((byte)'\n');
        }
        else if (tail.IsTorn)
            stream.SetLength(tail.Start);
        else
            return TailRepair.None;
        stream.Flush(flushToDisk: true);
        return tail.Event is not null ? TailRepair.Completed : TailRepair.Cut;
    }

    private readonly StringBuilder _text = new();

    public void Append(RaceEvent raceEvent)
    {
        lock (_lock)
        {
            try
            {
                Write(raceEvent);
            }
            catch (IOException e)
            {
                // A full disk or a vanished mount: one clear error for the race to report, not a stack trace. Every line
                // flushed before this one is on disk; a resume goes on from there.
                _writeFailed = true;
                throw new NasException($"cannot write to journal {Path}: {e.Message}", e);
            }
        }
    }

    private void Write(RaceEvent raceEvent)
    {
        _text.Clear();
        using (var writer = new JsonTextWriter(new StringWriter(_text)) { Formatting = Formatting.None })
        {
            if (raceEvent is TrialFinished trial)
                JournalFormat.WriteTrial(writer, trial);
            else
                JournalFormat.ToJson(raceEvent).WriteTo(writer);
        }
        _text.Append('\n');
        string line = _text.ToString();
        int length = Encoding.UTF8.GetByteCount(line);
        if (_buffer.Length < length)
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        int written = Encoding.UTF8.GetBytes(line, _buffer);
        _stream.Write(_buffer, 0, written);
        if (raceEvent is TrialFinished && !_syncTrials && _sinceFlush.Elapsed < BatchInterval)
        {
            _dirty = true;
            return;
        }
        _stream.Flush(
            flushToDisk: raceEvent is TrialFinished ? _syncTrials : raceEvent is HeatFinished or RaceFinished
        );
        _dirty = false;
        _sinceFlush.Restart();
    }

    /// <summary>Hands batched trial lines to the operating system when no event has done it for a while (a paused race).</summary>
    private void FlushBatch()
    {
        lock (_lock)
        {
            if (!_dirty || _closed)
                return;
            // This runs on a timer thread, where an exception would abort the process (a full disk did). The lines stay
            // buffered and _dirty stays set: the race's next write or the close flushes again and meets the error on a
            // thread that reports it.
            try
            {
                _stream.Flush(flushToDisk: false);
            }
            catch (IOException)
            {
                return;
            }
            _dirty = false;
            _sinceFlush.Restart();
        }
    }

    private bool _closed;
    private bool _writeFailed;

    private byte[] _buffer = new byte[4096];

    public void Dispose()
    {
        _flusher?.Dispose();
        IOException? failure = null;
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            try
            {
                _stream.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                failure = e;
            }
            // The stream is closed (and the journal's lock released) even when its last flush failed.
            try
            {
                _stream.Dispose();
            }
            catch (IOException e)
            {
                failure ??= e;
            }
        }
        // After a failed write the race is already reporting that error; the close's own failure would only hide it.
        if (failure is not null && !_writeFailed)
            throw new NasException(
                $"cannot finish writing journal {Path}: {failure.Message}; the lines before the last flush are on disk",
                failure
            );
    }
}

/// <summary>What <see cref="JournalWriter"/>'s repair did to a journal's tail.</summary>
public enum TailRepair
{
    /// <summary>The journal ended with a newline (or was empty).</summary>
    None,

    /// <summary>A torn line (a crash mid-write) was cut off.</summary>
    Cut,

    /// <summary>A complete event whose newline a crash kept from being written got its newline.</summary>
    Completed,
}

/// <summary>A journal that <see cref="JournalWriter.CreateNew"/> found already there.</summary>
internal sealed class JournalExistsException(string path, Exception inner)
    : NasException($"journal {path} already exists", inner);

/// <summary>A journal that keeps nothing (for callers that only want the events).</summary>
public sealed class NullJournal : IRaceJournal
{
    public void Append(RaceEvent raceEvent) { }
}
