namespace Rill.Kubernetes.Manifest;

/// <summary>
/// The Aspire manifest cannot be turned into Kubernetes objects (a missing file, malformed JSON, a resource type or an
/// expression this generator does not know). The message is one sentence naming the resource and what to change.
/// </summary>
public sealed class ManifestException(string message, Exception? inner = null) : Exception(message, inner);
