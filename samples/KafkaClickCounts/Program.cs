namespace Rill.Samples.KafkaClickCounts;

/// <summary>
/// Counts clicks per user in tumbling event-time windows, reading CSV click lines from Kafka and writing
/// <c>windowStartMillis,windowEndMillis,userId,count</c> to a Kafka topic (key = user id) and the latest window per user to the
/// Redis hash <c>clickcounts:{userId}</c>. Run: <c>dotnet run --project samples/KafkaClickCounts -- --bootstrap-servers HOST:PORT
/// --input-topic clicks --output-topic click-counts [--redis HOST:PORT] [--bounded]</c>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLine.RunAsync(KafkaClickCountsOptions.Usage, async () =>
        {
            Rill.ServiceDefaults.RillServiceDefaults.Use(); // OpenTelemetry (with OTEL_EXPORTER_OTLP_ENDPOINT) and the probes' checks
            // Configuration keys as .NET spells them in environment variables ("ConnectionStrings:kafka" → ConnectionStrings__kafka).
            var options = KafkaClickCountsOptions.Parse(args, key => Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal)));
            if (options.ShowHelp)
            {
                Console.WriteLine("usage: " + KafkaClickCountsOptions.Usage);
                return;
            }

            await KafkaClickCountsJob.RunAsync(options);
        });
}
