using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Rill.Connectors.Kafka.Source;

/// <summary>Everything a Kafka source was built with; immutable, shared by its enumerator and readers.</summary>
internal sealed record KafkaSourceSettings(
    string BootstrapServers,
    IReadOnlyList<string> Topics,
    Regex? TopicPattern,
    string? GroupId,
    OffsetsInitializer StartingOffsets,
    OffsetsInitializer? StoppingOffsets,
    TimeSpan PartitionDiscoveryInterval,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>How long a metadata or offsets request may take before the source reports the broker as unreachable.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public bool IsBounded => StoppingOffsets is not null;

    /// <summary>
    /// The properties that also apply to the source's admin client and dead-letter producer: how to reach and authenticate
    /// to the brokers. The rest (fetch and consumer tuning) is the consumer's alone.
    /// </summary>
    public Dictionary<string, string> ConnectionProperties() =>
        Properties.Where(p => ConnectionPrefixes.Any(prefix => p.Key.StartsWith(prefix, StringComparison.Ordinal))).ToDictionary();

    private static readonly string[] ConnectionPrefixes = ["security.", "sasl.", "ssl.", "socket.", "broker.", "client.dns", "api.version", "metadata.", "enable.ssl", "reconnect."];

    public string Describe() => TopicPattern is { } pattern ? $"topics matching /{pattern}/" : $"topic(s) {string.Join(", ", Topics)}";

    public bool Matches(string topic) => TopicPattern?.IsMatch(topic) ?? Topics.Contains(topic);

    /// <summary>
    /// A consumer that reads only what it is assigned (never subscribes, so no group rebalancing moves partitions behind the
    /// enumerator's back); the group id only names where offsets are committed for monitoring.
    /// </summary>
    public ConsumerConfig ConsumerConfig(string clientId)
    {
        var config = new ConsumerConfig(Properties.ToDictionary())
        {
            BootstrapServers = BootstrapServers,
            // Confluent.Kafka requires a group id even for Assign; without the user's, one that is never committed to.
            GroupId = GroupId ?? "rill-kafka-source-uncommitted",
            ClientId = clientId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A position outside the log is an error, never a silent jump to the start or the end.
            AutoOffsetReset = AutoOffsetReset.Error,
            EnablePartitionEof = true,
        };
        config.IsolationLevel ??= IsolationLevel.ReadCommitted;
        return config;
    }
}
