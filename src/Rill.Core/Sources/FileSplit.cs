namespace Rill.Sources;

/// <summary>
/// The lines of a file that start in [Start, End). <see cref="NewlinesBefore"/> counts '\n' bytes before
/// Start − 1 so a reader in the middle of the file still knows each line's number in the whole file.
/// </summary>
public sealed record FileSplit(string Path, long Start, long End, long NewlinesBefore) : ISourceSplit
{
    public string SplitId => $"{Path}:{Start}-{End}";
}
