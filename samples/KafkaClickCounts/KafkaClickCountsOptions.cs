using Rill.Api;

namespace Rill.Samples.KafkaClickCounts;

/// <summary>
/// The command line of the sample. Kafka and Redis addresses also come from the configuration keys
/// <c>ConnectionStrings:kafka</c> and <c>ConnectionStrings:redis</c> (environment variables <c>ConnectionStrings__kafka</c>,
/// <c>ConnectionStrings__redis</c>, as Aspire sets them); the command line wins.
/// </summary>
internal sealed record KafkaClickCountsOptions(
    string BootstrapServers,
    string InputTopic,
    string OutputTopic,
    string? Redis,
    bool Bounded,
    int? Parallelism,
    long WindowMs,
    int? CheckpointingMs,
    string? CheckpointDirectory,
    string Delivery,
    string DeadLetterTopic,
    string GroupId,
    int? RestPort,
    bool ShowHelp,
    DeploymentOptions Deployment)
{
    public const string Usage = "KafkaClickCounts --bootstrap-servers HOST:PORT --input-topic T --output-topic T2 [--redis HOST:PORT] [--bounded]"
        + " [--parallelism N] [--window-ms MS] [--checkpointing MS] [--checkpoint-dir DIR] [--delivery none|at-least-once|exactly-once]"
        + " [--dead-letter-topic T] [--group-id G] [--rest-port P] [--role jobmanager|taskmanager] [--jobmanager URL] [--slots N] [--cluster redis://HOST:PORT]"
        + " [--scheduler-mode reactive] [--restart-strategy S] [--from-savepoint DIR]";

    private static readonly string[] Deliveries = ["none", "at-least-once", "exactly-once"];

    public static KafkaClickCountsOptions Parse(IReadOnlyList<string> args, Func<string, string?> configuration)
    {
        try
        {
            var parameters = ParameterTool.FromArgs(args);
            parameters.CheckKnown(["bootstrap-servers", "input-topic", "output-topic", "redis", "bounded", "parallelism", "window-ms", "checkpointing",
                "checkpoint-dir", "delivery", "dead-letter-topic", "group-id", "rest-port", "help", .. DeploymentOptions.Keys]);
            if (parameters.Has("help"))
            {
                return new KafkaClickCountsOptions("", "", "", null, false, null, 0, null, null, "none", "", "", null, true, DeploymentOptions.Read(parameters));
            }

            var bootstrap = parameters.GetNonEmpty("bootstrap-servers") ?? NonEmpty(configuration("ConnectionStrings:kafka"))
                ?? throw new ArgumentException("Missing the Kafka address: --bootstrap-servers HOST:PORT (or ConnectionStrings:kafka).");
            var input = parameters.GetNonEmpty("input-topic") ?? throw new ArgumentException("Missing required option --input-topic.");
            var output = parameters.GetNonEmpty("output-topic") ?? throw new ArgumentException("Missing required option --output-topic.");
            var window = parameters.GetInt("window-ms") ?? 60_000;
            if (window < 1)
            {
                throw new ArgumentException($"Option --window-ms needs at least 1 ms, got {window}.");
            }

            var checkpointing = parameters.GetAtLeastOne("checkpointing");
            if (checkpointing is < 10)
            {
                throw new ArgumentException($"Option --checkpointing needs an interval of at least 10 ms, got {checkpointing}.");
            }

            var delivery = parameters.Get("delivery", checkpointing is null ? "none" : "at-least-once");
            if (!Deliveries.Contains(delivery))
            {
                throw new ArgumentException($"Option --delivery must be none, at-least-once or exactly-once, got '{delivery}'.");
            }

            if (delivery != "none" && checkpointing is null)
            {
                throw new ArgumentException($"--delivery {delivery} needs --checkpointing MS: the sink's guarantee is tied to checkpoints.");
            }

            return new KafkaClickCountsOptions(bootstrap, input, output,
                parameters.GetNonEmpty("redis") ?? NonEmpty(configuration("ConnectionStrings:redis")),
                parameters.GetFlag("bounded"),
                parameters.GetAtLeastOne("parallelism"),
                window,
                checkpointing,
                parameters.GetNonEmpty("checkpoint-dir"),
                delivery,
                parameters.GetNonEmpty("dead-letter-topic") ?? input + "-dead-letters",
                parameters.GetNonEmpty("group-id") ?? "kafka-click-counts",
                parameters.GetPort("rest-port"),
                false,
                DeploymentOptions.Read(parameters));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
