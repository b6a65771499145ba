using System.Diagnostics;

namespace Rill.Kubernetes.Tests.TestSupport;

/// <summary>
/// Runs <c>kubectl</c> (Debian package <c>kubectl</c>; <c>.ci/run</c> installs it). Only client-side commands are used:
/// <c>kubectl kustomize</c> renders a base offline, and no Kubernetes API server runs anywhere in these tests.
/// </summary>
internal static class Kubectl
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not installed; install the Debian package: apt-get install -y kubectl (kustomize runs offline).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish within 60 s.");
            }

            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
