namespace Rill.Samples.WordCount;

/// <summary>
/// Counts the words of a text file, or of a built-in text, and writes one "word&lt;TAB&gt;count" line per word.
/// Run: <c>dotnet run --project samples/WordCount -- [--input FILE] [--output DIR] [--parallelism N]</c>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLine.RunAsync(WordCountOptions.Usage, async () =>
        {
            var options = WordCountOptions.Parse(args);
            if (options.ShowHelp)
            {
                Console.WriteLine("usage: " + WordCountOptions.Usage);
                return;
            }

            await WordCountJob.RunAsync(options);
        });
}
