using System.Text;

namespace Nas.Sandbox.Core.Racing;

/// <summary>
/// The league persisted in one JSON file (default <c>league.json</c> in the home, <see cref="Hosting.NasHome"/>),
/// shared by every race on the machine.
/// Recording a heat is a read-modify-write under an exclusive lock (<c>league.json.lock</c>), so races finishing
/// heats at the same time in different processes never lose each other's update; the file is replaced atomically
/// (a temporary file in the same folder, then a rename), so a reader or a crash never sees half a file.
/// A corrupt file is reported, never overwritten.
/// </summary>
public sealed class LeagueFile
{
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _clock;
    private readonly TimeSpan _lockTimeout;

    public LeagueFile(string path, TimeProvider? clock = null, TimeSpan? lockTimeout = null)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new NasException("The league file path is empty.");
        Path = System.IO.Path.GetFullPath(path);
        _clock = clock ?? TimeProvider.System;
        _lockTimeout = lockTimeout ?? DefaultLockTimeout;
    }

    public string Path { get; }

    public string LockPath => Path + ".lock";

    /// <summary><c>league.json</c> in the user's Nas.Sandbox home (see <see cref="Hosting.NasHome"/>).</summary>
    public static string DefaultPath() => Hosting.NasHome.Resolve().League;

    /// <summary>The league as it is in the file now; empty when the file does not exist yet.</summary>
    public LeagueStandings Load()
    {
        string? text;
        try
        {
            if (Directory.Exists(Path))
                throw new NasException($"{Path} is a folder, not a league file: give the file's path (league.json).");
            if (!File.Exists(Path))
                return LeagueStandings.Empty;
            // Shared with writers: they replace the file by a rename, which leaves this open file whole.
            using var stream = new FileStream(
                Path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete
            );
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return LeagueStandings.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"League file {Path} cannot be read: {e.Message}", e);
        }
        return LeagueFormat.Read(text, Path);
    }

    /// <summary>
    /// Counts one finished heat: each contestant with its best validation accuracy in the heat (null when nothing
    /// succeeded). A heat id already counted changes nothing, so a resumed race may record its heats again.
    /// Returns the league after the heat.
    /// </summary>
    public LeagueStandings RecordHeat(string heatId, IReadOnlyList<(ContestantInfo Info, double? Best)> results)
    {
        if (string.IsNullOrEmpty(heatId))
            throw new ArgumentException("A heat needs an id.", nameof(heatId));
        string folder = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            Directory.CreateDirectory(folder);
            using var _ = FileLock.Acquire(LockPath, _lockTimeout, "League");
            var before = Load();
            var after = before.WithHeat(heatId, results, _clock.GetUtcNow().UtcDateTime);
            if (!ReferenceEquals(after, before))
                Save(after, folder);
            return after;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NasException($"League file {Path} cannot be written: {e.Message}", e);
        }
    }

    private void Save(LeagueStandings standings, string folder)
    {
        string temporary = System.IO.Path.Combine(
            folder,
            $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp"
        );
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(LeagueFormat.Write(standings));
                writer.Write('\n');
                writer.Flush();
                // On disk before the rename, so a crash leaves the old league or the new one, never an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
