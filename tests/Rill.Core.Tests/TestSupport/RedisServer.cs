using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rill.Tests.TestSupport;

/// <summary>
/// A real redis-server (the Debian package, installed by .ci/run) on a free loopback port, started for a test class
/// and killed with it. A missing redis-server fails the tests: they are never skipped. Shared with Rill.Cluster.Tests (linked).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;
    private string? _logPath;

    public int Port { get; private set; }

    public string Address => $"redis://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        _logPath = Path.Combine(Path.GetTempPath(), $"rill-redis-{Port}.log");
        var start = new ProcessStartInfo("redis-server", ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--logfile", _logPath])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: run .ci/run or `apt-get install -y redis-server`.", e);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}; see {_logPath}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"redis-server did not listen on port {Port} within 10 s; see {_logPath}.");
    }

    /// <summary><c>redis-cli -p PORT HGET key field</c>, as an operator inspects the HA data; null for a missing field.</summary>
    public async Task<string?> HGetAsync(string key, string field, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("redis-cli", ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--raw", "HGET", key, field])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new IOException($"redis-cli HGET {key} {field} did not answer within 10 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new IOException($"redis-cli HGET {key} {field} exited with {process.ExitCode}: {await stderr}");
        }

        var value = (await stdout).TrimEnd('\n', '\r');
        return value.Length == 0 ? null : value;
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
