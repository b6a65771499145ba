namespace Rill.Samples.Tests;

/// <summary>Reads an --output directory as users are told to: every file whose name does not start with a dot is results.</summary>
internal static class ResultFiles
{
    public static IReadOnlyList<string> Names(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(file => Path.GetFileName(file)).Where(name => !name.StartsWith('.')).Order(StringComparer.Ordinal).ToArray()
            : [];

    public static IReadOnlyList<string> ReadLines(string directory)
    {
        var names = Names(directory);
        Assert.NotEmpty(names);
        return names.SelectMany(name => File.ReadAllLines(Path.Combine(directory, name))).ToArray();
    }
}
