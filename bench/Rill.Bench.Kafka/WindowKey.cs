namespace Rill.Bench.Kafka;

/// <summary>One result row's identity: a user's tumbling window, by its start in epoch milliseconds.</summary>
public readonly record struct WindowKey(long WindowStart, int UserId);
