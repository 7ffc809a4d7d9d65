using System.Diagnostics;

namespace Nas.Sandbox.Core;

/// <summary>
/// An exclusive lock between processes (and between threads of one process): a lock file held open with
/// <see cref="FileShare.None"/>. The file is left in place when released: deleting it would let a waiter that had
/// already opened the old file and a newcomer that creates a new one both believe they hold the lock.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <param name="what">What the lock guards, for the error message, e.g. "League" or "Pack store".</param>
    public static FileLock Acquire(string lockPath, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileLock(
                    new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                );
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                // Another process holds it, and a file lock sends no signal when released: poll.
                Thread.Sleep(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 40)));
            }
            catch (IOException e)
            {
                throw new NasException(
                    $"{what} lock {lockPath} is still held by another process after {timeout.TotalSeconds:0.#} s; "
                        + $"if no other nas process is running, delete it. ({e.Message})",
                    e
                );
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
