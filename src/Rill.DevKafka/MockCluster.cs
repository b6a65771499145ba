using System.Runtime.InteropServices;
using System.Text;

namespace Rill.DevKafka;

/// <summary>
/// librdkafka's in-process mock Kafka cluster: real Kafka protocol on loopback ports, kept in memory. A development
/// convenience like a storage emulator (each partition keeps only a few MiB; no durability), never a production broker.
/// </summary>
public sealed partial class MockCluster : IDisposable
{
    private const int ProducerType = 0;
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private readonly Lock _lock = new();
    private bool _disposed;

    static MockCluster() => LibrdkafkaLoader.Register();

    public MockCluster(int brokers)
    {
        if (brokers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(brokers), "A cluster needs at least one broker.");
        }

        // The mock cluster lives inside a client handle; an empty bootstrap list keeps that client from dialing anything.
        var conf = rd_kafka_conf_new();
        var error = new StringBuilder(512);
        // Warnings of this host client (it has no brokers on purpose) would only confuse: errors still show.
        if (rd_kafka_conf_set(conf, "bootstrap.servers", "", error, error.Capacity) != 0 || rd_kafka_conf_set(conf, "log_level", "3", error, error.Capacity) != 0)
        {
            throw new InvalidOperationException($"librdkafka configuration failed: {error}");
        }

        _client = rd_kafka_new(ProducerType, conf, error, error.Capacity);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"librdkafka could not create a client: {error}");
        }

        _cluster = rd_kafka_mock_cluster_new(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            rd_kafka_destroy(_client);
            throw new InvalidOperationException("librdkafka could not create a mock cluster.");
        }

        // Admin calls (metadata with a controller) need one; optional in some librdkafka builds, so looked up by name.
        if (NativeLibrary.TryGetExport(LibrdkafkaLoader.Handle, "rd_kafka_mock_set_controller_id", out var setController))
        {
            unsafe
            {
                ((delegate* unmanaged<IntPtr, int, int>)setController)(_cluster, 1);
            }
        }

        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    public int Brokers { get; }

    /// <summary>host:port,host:port of the mock brokers (random loopback ports).</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic (the mock does not support the CreateTopics admin call, so topics are made here).</summary>
    public void CreateTopic(string name, int partitions)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 249 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"'{name}' is not a valid topic name (letters, digits, '.', '_' and '-', at most 249).");
        }

        if (partitions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(partitions), $"Topic {name} needs at least one partition, got {partitions}.");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var code = rd_kafka_mock_topic_create(_cluster, name, partitions, Math.Min(Brokers, 3));
            if (code != 0)
            {
                throw new InvalidOperationException($"Topic {name} could not be created: {Marshal.PtrToStringUTF8(rd_kafka_err2str(code))}");
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            rd_kafka_mock_cluster_destroy(_cluster);
            rd_kafka_destroy(_client);
        }
    }

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial IntPtr rd_kafka_conf_new();

    [DllImport(LibrdkafkaLoader.LibraryName, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int rd_kafka_conf_set(IntPtr conf, string name, string value, StringBuilder errstr, nint errstrSize);

    [DllImport(LibrdkafkaLoader.LibraryName, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr rd_kafka_new(int type, IntPtr conf, StringBuilder errstr, nint errstrSize);

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [LibraryImport(LibrdkafkaLoader.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibrdkafkaLoader.LibraryName)]
    private static partial IntPtr rd_kafka_err2str(int code);
}
