using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Rill.Logging;

namespace Rill.Connectors.Kafka;

/// <summary>
/// librdkafka's own log lines (a broker unreachable, a connection reset, …) through Rill's logging, with their levels: by
/// default Confluent.Kafka writes them straight to stderr, past the console setting (<c>RILL_CONSOLE_LOG</c>) and past
/// OpenTelemetry, so a dashboard showed them as raw red lines without a source.
/// </summary>
internal static class KafkaClientLogging
{
    private static readonly ILogger Logger = RillLogging.CreateLogger("Rill.Connectors.Kafka.Librdkafka");

    public static void Log(LogMessage message) =>
        Logger.Log(ToLevel(message.Level), "librdkafka {Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);

    private static LogLevel ToLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
