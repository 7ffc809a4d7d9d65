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

    public void Append(RaceEvent raceEvent)
    {
        byte[] line = Encoding.UTF8.GetBytes(JournalFormat.ToJson(raceEvent).ToString(Formatting.None) + "\n");
        lock (_lock)
        {
            _stream.Write(line);
            _stream.Flush(flushToDisk: raceEvent is TrialFinished ? _syncTrials : raceEvent is HeatFinished or RaceFinished);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>A journal that keeps nothing (for callers that only want the events).</summary>
public sealed class NullJournal : IRaceJournal
{
    public void Append(RaceEvent raceEvent) { }
}
