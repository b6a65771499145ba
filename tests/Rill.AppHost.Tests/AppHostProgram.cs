using System.Diagnostics;

namespace Rill.AppHost.Tests;

/// <summary>Runs the built AppHost as a program, as <c>dotnet run --project AppHost -- ARGS</c> would, and captures what it printed.</summary>
internal static class AppHostProgram
{
    /// <summary>The repository root: the AppHost project's parent folder (the SDK records the project's path in the AppHost).</summary>
    public static string RepositoryRoot => Path.GetDirectoryName(Projects.Rill_AppHost.ProjectPath)
        ?? throw new InvalidOperationException($"The AppHost project path '{Projects.Rill_AppHost.ProjectPath}' has no parent folder.");

    /// <param name="environment">Variables to set (null removes one) on top of this process's environment, from which every
    /// <c>Rill__*</c> setting is removed so the run sees the AppHost's own defaults.</param>
    public static async Task<ProgramRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(BuiltPrograms.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        start.ArgumentList.Add(BuiltPrograms.AssemblyPath(typeof(AppHostProgram).Assembly, "Rill.AppHost"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Rill__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The AppHost did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost ({string.Join(' ', args)}) did not exit within {timeout.TotalSeconds:0} s. Output: {await stdout} {await stderr}");
        }

        return new ProgramRun(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record ProgramRun(int ExitCode, string StandardOutput, string StandardError);
