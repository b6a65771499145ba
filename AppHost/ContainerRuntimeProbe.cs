using System.Diagnostics;

namespace Rill.AppHost;

/// <summary>
/// Tells whether a container engine answers here: <c>docker info</c> or <c>podman info</c> exiting 0 within the time limit.
/// A Docker client without an engine (as on machines that only have the CLI) exits non-zero, so the client alone does not count.
/// </summary>
internal static class ContainerRuntimeProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The engine that answered (<c>docker</c> or <c>podman</c>), or null; <paramref name="findings"/> says what each one did.</summary>
    public static string? FindAnsweringRuntime(out string findings)
    {
        var runtimes = new[] { "docker", "podman" };
        var probes = runtimes.Select(runtime => Task.Run(() => Probe(runtime))).ToArray();
        Task.WaitAll(probes);
        findings = string.Join("; ", probes.Select(p => p.Result.Finding));
        return probes.Select(p => p.Result).FirstOrDefault(r => r.Answered).Runtime;
    }

    private static (string? Runtime, bool Answered, string Finding) Probe(string runtime)
    {
        var start = new ProcessStartInfo(runtime, "info") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{runtime} did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, false, $"{runtime}: not installed");
        }

        using (process)
        {
            // Drained so a chatty `info` cannot block on a full pipe; nobody reads it.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (null, false, $"`{runtime} info` did not answer within {Timeout.TotalSeconds:0} s");
            }

            return process.ExitCode == 0
                ? (runtime, true, $"`{runtime} info` exited 0")
                : (null, false, $"`{runtime} info` exited {process.ExitCode}");
        }
    }
}
