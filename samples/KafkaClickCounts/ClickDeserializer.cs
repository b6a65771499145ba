using Rill.Connectors.Kafka.Source;
using Rill.Samples.ClickCounts;

namespace Rill.Samples.KafkaClickCounts;

/// <summary>A record value is one ClickCounts CSV line; a line that does not parse is malformed, with ClickCsv's reason (it goes to the dead-letter topic).</summary>
internal sealed class ClickDeserializer : IKafkaRecordDeserializer<Click>
{
    public Click Deserialize(in KafkaRecord record)
    {
        var line = KafkaDeserializers.Utf8(record.Value ?? throw new MalformedRecordException("the record has no value"));
        return ClickCsv.TryParse(line, out var click, out var reason) ? click : throw new MalformedRecordException(reason);
    }
}
