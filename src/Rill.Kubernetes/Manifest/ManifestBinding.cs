namespace Rill.Kubernetes.Manifest;

/// <summary>
/// One endpoint of a resource (<c>bindings.NAME</c>). <see cref="TargetPort"/> is where the process listens; Aspire
/// leaves it out for a project's default http/https endpoint and lets the deployment tool choose (see
/// <c>BindingPorts</c>). <see cref="Port"/> is the port clients use when it differs from the target port.
/// </summary>
public sealed record ManifestBinding(string Name, string Scheme, string Protocol, string Transport, int? Port, int? TargetPort, bool External);
