using System.Diagnostics;
using System.Reflection;

namespace Rill.Samples.Tests;

/// <summary>
/// Runs a sample as its users do: a separate OS process, arguments on the command line, results in its exit code,
/// stdout, stderr and output directory. A run that does not end within <see cref="Timeout"/> is a hang: the
/// process tree is killed and the test fails.
/// </summary>
internal static class Sample
{
    public const string WordCount = "WordCount";
    public const string ClickCounts = "ClickCounts";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<SampleRun> RunAsync(string sample, params string[] args)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(AssemblyPath(sample));
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // The launcher default would otherwise change what "no --parallelism" means from one machine to the next.
        startInfo.Environment.Remove("RILL_PARALLELISM");

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {sample}.");
        try
        {
            // Both streams are drained concurrently, so a chatty process can never block on a full pipe.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{sample} {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s.");
            }

            return new SampleRun(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string AssemblyPath(string sample)
    {
        var path = typeof(Sample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == $"SampleAssembly:{sample}")?.Value
            ?? throw new InvalidOperationException($"The build recorded no path for sample {sample}.");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Sample {sample} is not built at {path}.", path);
    }

    /// <summary>The dotnet that runs these tests (the SDK tells child processes where it is), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
    }
}

/// <summary>What one run of a sample left behind.</summary>
internal sealed record SampleRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> OutputLines => Lines(StandardOutput);

    public IReadOnlyList<string> ErrorLines => Lines(StandardError);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();

    /// <summary>For assertion messages: everything the process said.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
