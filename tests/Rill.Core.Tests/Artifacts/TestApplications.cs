using System.IO.Compression;
using System.Reflection;

namespace Rill.Tests.Artifacts;

/// <summary>
/// The applications the artifact tests upload: the samples and the small projects under TestApplications/, as their
/// build left them. Each is a set of files (path inside the zip → content) that a test may alter before zipping it.
/// </summary>
internal static class TestApplications
{
    public const string WordCount = "WordCount";
    public const string ClickCounts = "ClickCounts";
    public const string TopLevelApp = "TopLevelApp";
    public const string PlainConsoleApp = "PlainConsoleApp";

    /// <summary>The build output folder of <paramref name="application"/>, as recorded by the test project at build time.</summary>
    public static string Folder(string application)
    {
        var path = typeof(TestApplications).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == $"ApplicationAssembly:{application}")?.Value
            ?? throw new InvalidOperationException($"The build recorded no path for application {application}.");
        return File.Exists(path) ? Path.GetDirectoryName(path)! : throw new FileNotFoundException($"Application {application} is not built at {path}.", path);
    }

    /// <summary>Every file of the application's build output, keyed by its path relative to the folder.</summary>
    public static Dictionary<string, byte[]> Files(string application)
    {
        var folder = Folder(application);
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(file => Path.GetRelativePath(folder, file).Replace('\\', '/'), File.ReadAllBytes);
    }

    /// <summary>A zip of the application's build output, with the files at its root.</summary>
    public static MemoryStream Zip(string application) => Zip(Files(application));

    public static MemoryStream Zip(IEnumerable<KeyValuePair<string, byte[]>> entries, string? topLevelFolder = null)
    {
        var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry((topLevelFolder is null ? "" : topLevelFolder + "/") + name, CompressionLevel.Fastest).Open();
                stream.Write(content);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    public static MemoryStream Zip(params (string Name, byte[] Content)[] entries) =>
        Zip(entries.Select(entry => KeyValuePair.Create(entry.Name, entry.Content)));
}

/// <summary>A fresh directory for one test, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rill-artifacts-" + Guid.NewGuid().ToString("N"));

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp directory eventually.
        }
    }
}
