namespace Rill.Sources;

/// <summary>One line of a text file with its 1-based number in the whole file, whichever split read it.</summary>
public readonly record struct TextLine(string Path, long LineNumber, string Text)
{
    /// <summary>"FILE:LINE", the prefix of every error about this line.</summary>
    public string Location => $"{Path}:{LineNumber}";
}
