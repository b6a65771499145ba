namespace Rill.Runtime.Messages;

/// <summary>
/// What a TaskManager reports with each heartbeat (Flink's heartbeat payload): its data plane's traffic and the
/// high-water mark of bytes in flight on one channel, next to the bound credit-based flow control promises.
/// </summary>
public sealed record TaskManagerMetrics(long DataBytesSent, long MaxInFlightBytesPerChannel, long MaxCreditBytesPerChannel);
