namespace Rill.Connectors.Tests.Kafka.Sink;

/// <summary>One development broker (librdkafka's mock cluster, a separate process) shared by a test class; each test makes its own topics.</summary>
public sealed class SinkTestBroker : IAsyncLifetime
{
    private DevKafkaBroker? _broker;

    public string BootstrapServers => _broker!.BootstrapServers;

    public async Task InitializeAsync() => _broker = await DevKafkaBroker.StartAsync("--brokers", "1");

    /// <summary>A new topic with a unique name (the mock would also create one on first use, but with its default partition count).</summary>
    public async Task<string> CreateTopicAsync(string name, int partitions)
    {
        var topic = $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
        Assert.Equal($"created {topic} {partitions}", await _broker!.CommandAsync($"create-topic {topic} {partitions}"));
        return topic;
    }

    public Task DisposeAsync()
    {
        _broker?.Dispose();
        return Task.CompletedTask;
    }
}
