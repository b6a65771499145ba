using System.Globalization;

namespace Rill.DevKafka;

/// <summary>The command line: <c>--brokers N</c>, <c>--topic NAME:PARTITIONS</c> (repeatable), <c>--bootstrap-file FILE</c>.</summary>
internal sealed record DevKafkaOptions(int Brokers, IReadOnlyList<(string Name, int Partitions)> Topics, string? BootstrapFile, bool ShowHelp)
{
    public const string Usage = """
        Rill.DevKafka [--brokers N] [--topic NAME:PARTITIONS]... [--bootstrap-file FILE]

        A DEVELOPMENT Kafka broker: librdkafka's in-memory mock cluster, for machines without Docker or a Kafka
        package. NOT a production broker: nothing is durable, each partition keeps only about 5 MiB (older records are
        dropped silently: create enough partitions), transactions are not enforced, CreateTopics/DeleteTopics/
        CreatePartitions admin calls are unsupported (create topics with --topic or the control channel),
        OffsetsForTimes returns -1, and ListConsumerGroups must never be called against it.

        Prints the bootstrap servers (random loopback ports) on stdout once the topics exist and the brokers answer a
        Metadata request, and writes them to FILE (atomically). Control channel, one command per line on stdin:
          create-topic NAME PARTITIONS     answers "created NAME PARTITIONS" or "error: REASON"
        Stops on SIGTERM or Ctrl+C (exit 0).
        """;

    public static DevKafkaOptions Parse(IReadOnlyList<string> args)
    {
        var brokers = 1;
        var topics = new List<(string, int)>();
        string? bootstrapFile = null;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--brokers":
                    var text = Value();
                    brokers = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 16
                        ? n
                        : throw new ArgumentException($"Option --brokers needs a whole number from 1 to 16, got '{text}'.");
                    break;
                case "--topic":
                    topics.Add(ParseTopic(Value()));
                    break;
                case "--bootstrap-file":
                    bootstrapFile = Value();
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return new DevKafkaOptions(brokers, topics, bootstrapFile, help);
    }

    public static (string Name, int Partitions) ParseTopic(string spec)
    {
        var colon = spec.LastIndexOf(':');
        return colon > 0 && int.TryParse(spec[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) && partitions >= 1
            ? (spec[..colon], partitions)
            : throw new ArgumentException($"A topic is NAME:PARTITIONS with at least one partition, got '{spec}'.");
    }
}
