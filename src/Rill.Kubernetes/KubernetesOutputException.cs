namespace Rill.Kubernetes;

/// <summary>The output directory cannot take the base (it holds other files); nothing was written.</summary>
public sealed class KubernetesOutputException(string message, Exception? inner = null) : Exception(message, inner);
