namespace Rill.Samples.Tests;

/// <summary>A fresh directory for one test's input and output, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rill-samples-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes lines as UTF-8 without BOM, each ended by "\n".</summary>
    public string WriteLines(string name, IEnumerable<string> lines)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, string.Concat(lines.Select(line => line + "\n")));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still hold a file for a moment; the OS cleans the temp directory eventually.
        }
    }
}
