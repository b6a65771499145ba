using System.Text;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Rill.Connectors.Kafka.Serialization;
using Rill.Connectors.Kafka.Sink;
using Rill.Sinks;

namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>A sink or record serializer that cannot work is refused when it is built, with what to set; the ready serializers produce the bytes consumers expect.</summary>
public sealed partial class KafkaSinkBuilderTests
{
    private static readonly KafkaRecordSerializer<string> Strings = KafkaRecordSerializer<string>.Builder().SetTopic("t").SetValueSerializer(KafkaSerializers.Utf8String).Build();

    [Fact]
    public void ExactlyOnceWithoutATransactionalIdPrefixIsRefused()
    {
        var builder = KafkaSink<string>.Builder().SetBootstrapServers("localhost:9092").SetRecordSerializer(Strings).SetDeliveryGuarantee(DeliveryGuarantee.ExactlyOnce);

        var refused = Assert.Throws<InvalidOperationException>(builder.Build);

        Assert.Contains("SetTransactionalIdPrefix", refused.Message, StringComparison.Ordinal);
        Assert.Equal("orders", builder.SetTransactionalIdPrefix("orders").Build().TransactionalIdPrefix);
    }

    [Fact]
    public void MissingBootstrapServersSerializerTopicOrValueAreNamed()
    {
        Assert.Contains("SetBootstrapServers", Assert.Throws<InvalidOperationException>(() => KafkaSink<string>.Builder().SetRecordSerializer(Strings).Build()).Message, StringComparison.Ordinal);
        Assert.Contains("SetRecordSerializer", Assert.Throws<InvalidOperationException>(() => KafkaSink<string>.Builder().SetBootstrapServers("h:1").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("SetTopic", Assert.Throws<InvalidOperationException>(() => KafkaRecordSerializer<string>.Builder().SetValueSerializer(KafkaSerializers.Utf8String).Build()).Message, StringComparison.Ordinal);
        Assert.Contains("exactly one", Assert.Throws<InvalidOperationException>(() => KafkaRecordSerializer<string>.Builder().SetTopic("a").SetTopicSelector(_ => "b").SetValueSerializer(KafkaSerializers.Utf8String).Build()).Message, StringComparison.Ordinal);
        Assert.Contains("SetValueSerializer", Assert.Throws<InvalidOperationException>(() => KafkaRecordSerializer<string>.Builder().SetTopic("a").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("SetTransactionalIdPrefix", Assert.Throws<ArgumentException>(() => KafkaSink<string>.Builder().SetProperty("transactional.id", "x")).Message, StringComparison.Ordinal);
        Assert.Equal(DeliveryGuarantee.None, KafkaSink<string>.Builder().SetBootstrapServers("h:1").SetRecordSerializer(Strings).Build().DeliveryGuarantee);
    }

    [Fact]
    public void BadProducerPropertiesAreNamedWhenTheBuilderOrTheFirstWriterMeetsThem()
    {
        var builder = KafkaSink<string>.Builder().SetBootstrapServers("localhost:9092").SetRecordSerializer(Strings);

        var unknown = builder.SetProperty("no.such.property", "1").Build();
        var refused = Assert.Throws<KafkaSinkException>(() => unknown.CreateWriter(new Rill.Sinks.SinkWriterContext(0, 1, 0, "Kafka Sink")));
        Assert.Contains("no.such.property", refused.Message, StringComparison.Ordinal);

        var timeout = Assert.Throws<InvalidOperationException>(KafkaSink<string>.Builder().SetBootstrapServers("h:1").SetRecordSerializer(Strings).SetProperty("transaction.timeout.ms", "soon").Build);
        Assert.Contains("transaction.timeout.ms", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARecordGetsItsSelectedTopicKeyValueAndTimestamp()
    {
        var serializer = KafkaRecordSerializer<Order>.Builder()
            .SetTopicSelector(o => o.Region)
            .SetKeySerializer(o => o.Customer, KafkaSerializers.Utf8String)
            .SetValueSerializer(KafkaSerializers.Json(OrderJson.Default.Order))
            .Build();

        var record = serializer.Serialize(new Order("eu", "ann", 12.5m), timestamp: 42);

        Assert.Equal("eu", record.Topic);
        Assert.Equal("ann", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("""{"Region":"eu","Customer":"ann","Amount":12.5}""", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal(42, record.Timestamp);
        var empty = KafkaRecordSerializer<Order>.Builder().SetTopicSelector(_ => "").SetValueSerializer(_ => null).Build();
        Assert.Contains("chose no topic", Assert.Throws<KafkaSinkException>(() => empty.Serialize(new Order("", "x", 1), null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8StringsHaveNoByteOrderMarkAndNullStaysNull()
    {
        var context = new SerializationContext(MessageComponentType.Value, "t");

        Assert.Equal([0xC3, 0xA9], KafkaSerializers.Utf8String.Serialize("é", context));
        Assert.Null(KafkaSerializers.Utf8String.Serialize(null!, context));
    }

    public sealed record Order(string Region, string Customer, decimal Amount);

    [JsonSerializable(typeof(Order))]
    private sealed partial class OrderJson : JsonSerializerContext;
}
