using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rill.Connectors.Kafka.Source;
using Rill.EventTime;
using Rill.Logging;
using Rill.Sinks;
using Rill.Tests.Logging;
using Rill.Tests.TestSupport;

namespace Rill.Connectors.Tests.Kafka;

/// <summary>librdkafka's own lines (here: no broker at the address) go through Rill's logging with a level, not raw to stderr.</summary>
public sealed class KafkaClientLoggingTests
{
    private const string Category = "Rill.Connectors.Kafka.Librdkafka";

    [Fact]
    public async Task AnUnreachableBrokerIsReportedThroughRillsLoggingWithItsLevel()
    {
        var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        var nobody = FreeLoopbackPort();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using (RillLogging.Use(factory))
        {
            var env = TestJobs.Env(parallelism: 1);
            var source = KafkaSource<string>.Builder().SetBootstrapServers($"127.0.0.1:{nobody}").SetTopics("anything")
                .SetDeserializer(KafkaDeserializers.Utf8String).Build();
            env.FromSource(source, WatermarkStrategy<string>.NoWatermarks(), "Kafka").SinkTo(new CollectSink<string>());
            var job = env.ExecuteAsync("Unreachable broker", stop.Token);
            while (!provider.Entries.Any(e => e.Category == Category && e.Message.Contains($"127.0.0.1:{nobody}", StringComparison.Ordinal)) && !job.IsCompleted)
            {
                Assert.False(stop.IsCancellationRequested, "No librdkafka line about the unreachable broker within 60 s.");
                await Task.Delay(100, CancellationToken.None);
            }

            await stop.CancelAsync();
            await Task.WhenAny(job); // cancelled, or failed on the missing broker: either is fine here
        }

        var line = Assert.Single(provider.Entries.Where(e => e.Category == Category && e.Message.Contains($"127.0.0.1:{nobody}", StringComparison.Ordinal)).Take(1));
        Assert.True(line.Level >= LogLevel.Warning, $"A broker nobody answers at is a warning or an error, got {line.Level}: {line.Message}");
        Assert.StartsWith("librdkafka ", line.Message, StringComparison.Ordinal);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
