namespace Rill.AppHost;

/// <summary>Where Kafka and Redis come from: containers (Docker or Podman) or programs on this machine.</summary>
internal enum InfrastructureFlavour
{
    /// <summary>The Redis container (AddRedis) and an apache/kafka container (KRaft, one node); what publish mode describes.</summary>
    Containers,

    /// <summary><c>redis-server</c> from PATH and the development broker (src/Rill.DevKafka): no container engine needed.</summary>
    Local,
}
