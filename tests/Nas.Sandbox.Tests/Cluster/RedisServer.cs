using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Nas.Sandbox.Tests.Cluster;

/// <summary>
/// A real Redis (Debian's redis-server) for one test, on 127.0.0.1 and a free port, with nothing saved to disk;
/// stopped when disposed. .ci/run installs redis-server; a machine without it fails the test with that instruction.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly string[] Installed = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private readonly Process _process;

    /// <param name="password">When given, Redis requires it (<c>--requirepass</c>), as a production store would.</param>
    public RedisServer(string? password = null)
    {
        Port = FreePort();
        string program = Installed.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "redis-server is not installed: apt-get install -y redis-server (.ci/run installs it)"
            );
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            string arg in new[]
            {
                "--bind",
                "127.0.0.1",
                "--port",
                Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--save",
                "",
                "--appendonly",
                "no",
            }
        )
            start.ArgumentList.Add(arg);
        if (password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(password);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Accepts(Port))
        {
            if (DateTime.UtcNow > until || _process.HasExited)
                throw new InvalidOperationException($"redis-server did not start on 127.0.0.1:{Port}");
            Thread.Sleep(50);
        }
    }

    public int Port { get; }

    public string Connection => $"redis://127.0.0.1:{Port}";

    public void Dispose()
    {
        try
        {
            _process.Kill(true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    /// <summary>A port nothing listens on now (bound then released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
