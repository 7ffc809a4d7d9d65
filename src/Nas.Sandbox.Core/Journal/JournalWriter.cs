using System.Text;
using Nas.Sandbox.Core.Racing;
using Newtonsoft.Json;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// Appends race events to a JSON-lines file. Each line is written whole and flushed to the operating system before
/// <see cref="Append"/> returns, so it survives a crash of the process. Trial lines of paid evaluations are also
/// flushed to disk (fsync), so they survive a crash of the machine too. With <c>syncTrials: false</c> (tabular races,
/// where a trial is a lookup that costs nothing to redo) trial lines are synced to disk only at the end of each heat
/// and of the race: a machine crash can then lose the latest lookups, never a paid evaluation.
/// The file is opened for append: an existing journal is never truncated.
/// </summary>
public sealed class JournalWriter : IRaceJournal, IDisposable
{
    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    private readonly bool _syncTrials;

    public JournalWriter(string path, bool syncTrials = true)
    {
        _syncTrials = syncTrials;
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        try { _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"Cannot open journal {Path}: {e.Message}", e);
        }
    }

    public string Path { get; }

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
            _stream.Flush(flushToDisk: raceEvent is TrialFinished ? _syncTrials : raceEvent is HeatFinished or RaceFinished);
        }
    }

    private byte[] _buffer = new byte[4096];

    public void Dispose() => _stream.Dispose();
}

/// <summary>A journal that keeps nothing (for callers that only want the events).</summary>
public sealed class NullJournal : IRaceJournal
{
    public void Append(RaceEvent raceEvent) { }
}
