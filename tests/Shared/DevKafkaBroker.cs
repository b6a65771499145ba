using System.Diagnostics;

namespace Rill.Tests.Shared;

/// <summary>
/// The development broker as a separate OS process (<c>dotnet Rill.DevKafka.dll</c>): output to files, the bootstrap
/// servers read from its bootstrap file, and the whole process killed on dispose. Linked into every test project that
/// needs Kafka; each records where Rill.DevKafka.dll is built.
/// </summary>
internal sealed class DevKafkaBroker : IDisposable
{
    private readonly Process _process;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rill-devkafka-" + Guid.NewGuid().ToString("N")[..8]);

    private DevKafkaBroker(params string[] args)
    {
        Directory.CreateDirectory(_directory);
        var start = new ProcessStartInfo(BuiltPrograms.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BuiltPrograms.AssemblyPath(typeof(DevKafkaBroker).Assembly, "Rill.DevKafka"));
        foreach (var arg in args.Concat(["--bootstrap-file", BootstrapFile]))
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("The development broker did not start.");
        _process.OutputDataReceived += (_, e) => Append("stdout.log", e.Data);
        _process.ErrorDataReceived += (_, e) => Append("stderr.log", e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string BootstrapFile => Path.Combine(_directory, "bootstrap.txt");

    public string BootstrapServers { get; private set; } = "";

    public string StandardOutput => Read("stdout.log");

    public string StandardError => Read("stderr.log");

    public bool HasExited => _process.HasExited;

    public static async Task<DevKafkaBroker> StartAsync(params string[] args)
    {
        var broker = new DevKafkaBroker(args);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(broker.BootstrapFile))
        {
            if (broker._process.HasExited || DateTime.UtcNow > deadline)
            {
                if (broker._process.HasExited)
                {
                    broker._process.WaitForExit(); // drains the redirected output, so the reason is in the message
                }

                var why = broker._process.HasExited ? $"exited with {broker._process.ExitCode}" : "wrote no bootstrap file within 30 s";
                var errors = broker.StandardError;
                broker.Dispose();
                throw new InvalidOperationException($"The development broker {why}: {errors}");
            }

            await Task.Delay(50);
        }

        broker.BootstrapServers = (await File.ReadAllTextAsync(broker.BootstrapFile)).Trim();

        // The stdout line is written before the file, but reaches our log asynchronously; control-channel answers
        // are counted from after it.
        while (!broker.StandardOutput.Contains(broker.BootstrapServers, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                broker.Dispose();
                throw new InvalidOperationException("The development broker wrote its bootstrap file but not its stdout line within 30 s.");
            }

            await Task.Delay(20);
        }

        return broker;
    }

    /// <summary>Sends one control-channel command and returns its answer line.</summary>
    public async Task<string> CommandAsync(string command)
    {
        var before = StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var lines = StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length > before)
            {
                return lines[before].Trim();
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No answer to '{command}'.");
    }

    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public int ExitCode => _process.ExitCode;

    private readonly Lock _lock = new();

    private void Append(string file, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            File.AppendAllText(Path.Combine(_directory, file), line + "\n");
        }
    }

    private string Read(string file)
    {
        lock (_lock)
        {
            var path = Path.Combine(_directory, file);
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a late log line; the folder is in the temp directory
        }
    }
}
