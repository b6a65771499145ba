using System.Diagnostics;
using Rill.Tests.Shared;

namespace Rill.Bench.Kafka;

/// <summary>
/// The development broker (src/Rill.DevKafka, librdkafka's mock cluster) as a child process, started as a developer
/// would (<c>dotnet Rill.DevKafka.dll --brokers 1 --topic NAME:P ... --bootstrap-file F</c>); its output goes to files
/// in the work directory, and the process is killed on dispose.
/// </summary>
public sealed class DevKafkaProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _stdout;
    private readonly StreamWriter _stderr;

    private DevKafkaProcess(Process process, StreamWriter stdout, StreamWriter stderr, string bootstrapServers)
    {
        _process = process;
        _stdout = stdout;
        _stderr = stderr;
        BootstrapServers = bootstrapServers;
        // Ctrl+C or SIGTERM end the harness without its finally blocks: the broker must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    public static async Task<DevKafkaProcess> StartAsync(string directory, IEnumerable<(string Name, int Partitions)> topics)
    {
        var bootstrapFile = Path.Combine(directory, "devkafka.bootstrap");
        var start = new ProcessStartInfo(BuiltPrograms.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BuiltPrograms.AssemblyPath(typeof(DevKafkaProcess).Assembly, "Rill.DevKafka"));
        start.ArgumentList.Add("--brokers");
        start.ArgumentList.Add("1");
        foreach (var (name, partitions) in topics)
        {
            start.ArgumentList.Add("--topic");
            start.ArgumentList.Add($"{name}:{partitions}");
        }

        start.ArgumentList.Add("--bootstrap-file");
        start.ArgumentList.Add(bootstrapFile);

        var stdout = new StreamWriter(Path.Combine(directory, "devkafka.stdout.log")) { AutoFlush = true };
        var stderr = new StreamWriter(Path.Combine(directory, "devkafka.stderr.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The development broker did not start.");
        process.OutputDataReceived += (_, e) => Write(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Write(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(bootstrapFile))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var why = process.HasExited ? $"exited with {process.ExitCode}" : "wrote no bootstrap file within 60 s";
                new DevKafkaProcess(process, stdout, stderr, "").Dispose();
                throw new InvalidOperationException($"The development broker {why}; see {directory}/devkafka.stderr.log.");
            }

            await Task.Delay(50);
        }

        return new DevKafkaProcess(process, stdout, stderr, (await File.ReadAllTextAsync(bootstrapFile)).Trim());
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            writer.WriteLine(line);
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already disposed: Dispose killed it
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (_process.WaitForExit(10_000))
        {
            _process.WaitForExit(); // also waits for the last output lines, before their files are closed
        }

        _process.Dispose();
        lock (_stdout)
        {
            _stdout.Dispose();
        }

        lock (_stderr)
        {
            _stderr.Dispose();
        }
    }
}
