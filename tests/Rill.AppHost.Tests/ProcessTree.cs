using System.Diagnostics;
using System.Globalization;

namespace Rill.AppHost.Tests;

/// <summary>
/// The processes a test started, directly or through Aspire's orchestrator (DCP detaches itself but names this process in
/// <c>--monitor</c>), read from /proc; and ending them: the orchestrator's children can outlive the app's disposal by seconds.
/// </summary>
internal static class ProcessTree
{
    public static IReadOnlySet<int> StartedBy(int pid)
    {
        var parents = new Dictionary<int, int>();
        var roots = new HashSet<int> { pid };
        var monitorArgument = "--monitor\0" + pid.ToString(CultureInfo.InvariantCulture) + "\0";
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[candidate] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if ((File.ReadAllText(Path.Combine(directory, "cmdline")) + "\0").Contains(monitorArgument, StringComparison.Ordinal))
                {
                    roots.Add(candidate);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was being read: it needs no ending.
            }
        }

        var started = new HashSet<int>(roots);
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (child, parent) in parents)
            {
                if (started.Contains(parent) && started.Add(child))
                {
                    grew = true;
                }
            }
        }

        started.Remove(pid);
        return started;
    }

    /// <summary>Waits up to <paramref name="grace"/> for the processes to exit, then kills the rest; returns what had to be killed.</summary>
    public static async Task<IReadOnlyList<string>> EndAsync(IReadOnlySet<int> pids, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        while (pids.Any(IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var killed = new List<string>();
        foreach (var pid in pids.Where(IsAlive))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                killed.Add($"{pid} {process.ProcessName}");
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        return killed;
    }

    /// <summary>Running, and not a zombie waiting for its parent to collect it.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone
        }
    }
}
