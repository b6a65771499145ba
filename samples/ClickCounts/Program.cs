namespace Rill.Samples.ClickCounts;

/// <summary>
/// Counts clicks per user in tumbling one-minute event-time windows and reports how many clicks came too late.
/// Run: <c>dotnet run --project samples/ClickCounts -- [--input FILE] [--output DIR] [--parallelism N] [--skip-malformed]</c>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLine.RunAsync(ClickCountsOptions.Usage, async () =>
        {
            Rill.ServiceDefaults.RillServiceDefaults.Use(); // OpenTelemetry (with OTEL_EXPORTER_OTLP_ENDPOINT) and the probes' checks
            var options = ClickCountsOptions.Parse(args);
            if (options.ShowHelp)
            {
                Console.WriteLine("usage: " + ClickCountsOptions.Usage);
                return;
            }

            var summary = await ClickCountsJob.RunAsync(options);
            if (options.SkipMalformed)
            {
                Console.Error.WriteLine($"skipped {summary.MalformedLines} malformed lines");
            }

            // Always printed, also when 0: a run without late clicks is worth knowing about too.
            Console.Error.WriteLine($"late: {summary.LateClicks}");
        });
}
