namespace Rill.AppHost;

/// <summary>Configuration the topology cannot start with; the AppHost prints its message as one line and exits before starting anything.</summary>
internal sealed class TopologyConfigurationException(string message) : Exception(message);
