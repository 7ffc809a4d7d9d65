using System.Runtime.InteropServices;

namespace Nas.Sandbox.Core.Journal;

/// <summary>
/// Keeps a second writer off a journal: two processes appending to one (a race resumed while it still runs) would
/// record trials twice. The lock is held by the writer's own open file for as long as it is open.
/// <para>On Linux it is an open-file-description lock (fcntl F_OFD_SETLK) on the whole file. Not flock: .NET's
/// FileShare already takes a shared flock for every reader, so an exclusive one would shut out readers such as
/// <c>nas pareto</c> on a live race. Not FileStream.Lock: that is a classic POSIX record lock, which the process loses
/// when it closes ANY descriptor of the file (measured: reading the journal once in the writer's process let a second
/// process lock it). An OFD lock belongs to this open file alone and is ignored by readers.</para>
/// <para>On Windows the writer's sharing mode (FileShare.Read) already refuses a second writer. Elsewhere (macOS, where
/// .NET has no FileStream.Lock) the journal is not locked.</para>
/// </summary>
internal static class JournalLock
{
    private const int F_OFD_SETLK = 37,
        F_WRLCK = 1,
        EAGAIN = 11,
        EACCES = 13;

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length; // 0: to the end of the file, however long it grows
        public int Pid;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(SafeHandle fd, int command, ref Flock lockRegion);

    /// <summary>Locks the journal open in <paramref name="stream"/>, or throws a <see cref="NasException"/> saying who holds it.</summary>
    public static void Acquire(FileStream stream, string path)
    {
        if (OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            var region = new Flock { Type = F_WRLCK };
            if (fcntl(stream.SafeFileHandle, F_OFD_SETLK, ref region) == 0)
                return;
            int error = Marshal.GetLastPInvokeError();
            // Only "held by someone else" refuses the journal: a file system without these locks races unprotected, as before.
            if (error is EAGAIN or EACCES)
                throw InUse(path, Holder(path));
        }
    }

    public static NasException InUse(string path, int? pid) =>
        new(
            $"journal {path} is in use by another nas process{(pid is { } p ? $" (pid {p})" : "")}; a journal has one writer at a time (wait for it to end, or stop it)."
        );

    /// <summary>
    /// The process holding the journal's lock, when it can be told: an OFD lock does not record its owner (F_GETLK
    /// answers pid -1), but the kernel lists it under the descriptor that holds it, in /proc/PID/fdinfo/FD.
    /// </summary>
    private static int? Holder(string path)
    {
        try
        {
            foreach (string process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), out int pid))
                    continue;
                try
                {
                    foreach (string fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                    {
                        if (new FileInfo(fd).LinkTarget != path)
                            continue;
                        string info = File.ReadAllText(Path.Combine(process, "fdinfo", Path.GetFileName(fd)));
                        if (info.Contains("OFDLCK") && info.Contains("WRITE"))
                            return pid;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // gone, or not ours to see
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }
}
