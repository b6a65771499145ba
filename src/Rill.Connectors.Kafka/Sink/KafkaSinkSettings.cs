using System.Globalization;
using Rill.Sinks;

namespace Rill.Connectors.Kafka.Sink;

/// <summary>Everything a sink's writers and committer share, fixed when the sink is built.</summary>
internal sealed record KafkaSinkSettings<T>(
    IReadOnlyDictionary<string, string> ProducerProperties,
    KafkaRecordSerializer<T> Serializer,
    DeliveryGuarantee DeliveryGuarantee,
    string? TransactionalIdPrefix,
    Action<KafkaTransactionEvent>? Observer)
{
    /// <summary>
    /// The broker's default transaction.max.timeout.ms (15 min). librdkafka's own default (60 s) would abort a
    /// pre-committed transaction whenever a checkpoint, or the gap to the next completed one, took longer than that.
    /// </summary>
    public const int DefaultTransactionTimeoutMs = 900_000;

    public TimeSpan TransactionTimeout => TimeSpan.FromMilliseconds(
        ProducerProperties.TryGetValue("transaction.timeout.ms", out var configured) ? int.Parse(configured, CultureInfo.InvariantCulture) : DefaultTransactionTimeoutMs);

    /// <summary>The producer configuration of one producer: the user's properties, plus the transactional id when given.</summary>
    public Dictionary<string, string> ProducerConfig(string clientId, string? transactionalId)
    {
        var config = new Dictionary<string, string>(ProducerProperties, StringComparer.Ordinal);
        config.TryAdd("client.id", clientId);
        if (transactionalId is not null)
        {
            config["transactional.id"] = transactionalId;
            config.TryAdd("transaction.timeout.ms", DefaultTransactionTimeoutMs.ToString(CultureInfo.InvariantCulture));
        }

        return config;
    }

    public void Observe(KafkaTransactionStep step, string transactionalId, long producer, short? epoch = null) =>
        Observer?.Invoke(new KafkaTransactionEvent(step, transactionalId, producer, [], epoch));
}
