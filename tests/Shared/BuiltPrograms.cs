using System.Reflection;

namespace Rill.Tests.Shared;

/// <summary>
/// Finds the programs a test project starts as OS processes, where its build recorded them as
/// <c>[AssemblyMetadata("Program:&lt;name&gt;", "&lt;path&gt;")]</c>, and the dotnet host to start them with. Linked into
/// every test project that starts processes.
/// </summary>
internal static class BuiltPrograms
{
    public static string AssemblyPath(Assembly tests, string program)
    {
        var path = tests.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == $"Program:{program}")?.Value
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
