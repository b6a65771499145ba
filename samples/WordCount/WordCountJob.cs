using Rill.Api;

namespace Rill.Samples.WordCount;

/// <summary>The dataflow: lines → words → count per word → results.</summary>
internal static class WordCountJob
{
    public static async Task RunAsync(WordCountOptions options)
    {
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        // Only final counts are wanted: BATCH emits each word once, when all input is counted, instead of a
        // running count per record (as Flink's WordCount example sets explicitly).
        env.SetRuntimeMode(RuntimeExecutionMode.Batch);
        // With --rest-port the embedded cluster serves Flink's REST API while the job runs.
        env.RestPort = options.RestPort;
        env.Deployment = options.Deployment;
        if (options.Parallelism is { } parallelism)
        {
            env.SetParallelism(parallelism);
        }

        // Check both ends before starting anything, so a wrong path costs one clear line and no work.
        var lines = options.Input is null
            ? env.FromCollection(BuiltInText.Lines, "Built-in Text")
            : env.ReadTextFile(InputFile.RequireExisting(options.Input));
        if (options.Output is not null)
        {
            OutputDirectory.Prepare(options.Output, refuseExistingResults: OutputDirectory.ResultsAreCheckedHere(options.Deployment));
        }

        if (options.LinesPerSecond is { } rate)
        {
            lines = lines.Map(new Throttle<string>(rate)).Name("Throttle");
        }

        var counts = lines
            .FlatMap(new Tokenizer()).Name("Tokenizer")
            .KeyBy(pair => pair.Word)
            .Reduce((a, b) => (a.Word, a.Count + b.Count)).Name("Sum Counts");
        ResultOutput.WriteTo(counts, options.Output, pair => $"{pair.Word}\t{pair.Count}");

        await env.ExecuteAsync("WordCount");
    }
}
