using System.Reflection;

namespace Rill.Cluster.Tests;

/// <summary>The programs the tests start as OS processes, found where the build recorded them.</summary>
internal static class Programs
{
    public const string WordCount = "WordCount";
    public const string ClickCounts = "ClickCounts";

    /// <summary>The <c>rill</c> CLI (src/Rill.Cli, AssemblyName <c>rill</c>).</summary>
    public const string Rill = "rill";

    public static string AssemblyPath(string program)
    {
        var path = typeof(Programs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == $"ClusterProgram:{program}")?.Value
            ?? throw new InvalidOperationException($"The build recorded no path for {program}.");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{program} is not built at {path}.", path);
    }

    /// <summary>The dotnet that runs these tests (the SDK tells child processes where it is), else the one on PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
    }
}
