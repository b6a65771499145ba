using Aspire.Hosting.ApplicationModel;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rill.AppHost;

/// <summary>
/// Kafka is ready when a client's Metadata request succeeds and lists every topic of the pipeline: a started process or an
/// open port is not enough, and Rill's Kafka source fails a job whose topic does not exist. With
/// <paramref name="createMissingTopics"/> (a real broker) missing topics are created here, because the apache/kafka image
/// has no way to declare them; the development broker gets its topics on its command line and does not support CreateTopics.
/// </summary>
internal sealed class KafkaReadyHealthCheck(IResourceWithConnectionString kafka, IReadOnlyList<(string Name, int Partitions)> topics, bool createMissingTopics)
    : IHealthCheck
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bootstrap = await kafka.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(bootstrap))
        {
            return HealthCheckResult.Unhealthy($"{kafka.Name} has no bootstrap servers yet.");
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = (int)RequestTimeout.TotalMilliseconds })
            // librdkafka would print every refused connection while the broker starts; the Metadata call below reports the failure.
            .SetLogHandler((_, _) => { })
            .Build();
        try
        {
            var missing = await Task.Run(() => MissingTopics(admin), cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0 && createMissingTopics)
            {
                await CreateAsync(admin, missing).ConfigureAwait(false);
                missing = await Task.Run(() => MissingTopics(admin), cancellationToken).ConfigureAwait(false);
            }

            return missing.Count == 0
                ? HealthCheckResult.Healthy($"Kafka at {bootstrap} answers Metadata with topics {string.Join(", ", topics.Select(t => t.Name))}.")
                : HealthCheckResult.Unhealthy($"Kafka at {bootstrap} answers but lacks topic(s) {string.Join(", ", missing.Select(t => t.Name))}.");
        }
        catch (KafkaException e)
        {
            // The reason is the whole story while the broker starts: without the exception, one line per probe, not a stack trace.
            return HealthCheckResult.Unhealthy($"Kafka at {bootstrap} does not answer a Metadata request: {e.Error.Reason}");
        }
    }

    private List<(string Name, int Partitions)> MissingTopics(IAdminClient admin)
    {
        var metadata = admin.GetMetadata(RequestTimeout);
        return topics.Where(t => !metadata.Topics.Any(m => m.Topic == t.Name && m.Error.Code == ErrorCode.NoError && m.Partitions.Count > 0)).ToList();
    }

    private static async Task CreateAsync(IAdminClient admin, IEnumerable<(string Name, int Partitions)> missing)
    {
        try
        {
            await admin.CreateTopicsAsync(missing.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 }),
                new CreateTopicsOptions { RequestTimeout = RequestTimeout }).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another check (or a client's auto-creation) made them first: the topics exist, which is all this wants.
        }
    }
}
