namespace Rill.Samples;

internal static class InputFile
{
    /// <summary>Checked before the job is built, so a typo in the path is one clear line, not a job failure.</summary>
    public static string RequireExisting(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"input file not found: {path}", path);
}
