namespace Rill.Kubernetes.Manifest;

/// <summary>
/// The input behind a <c>parameter.v0</c> (<c>inputs.value</c>): whether it is secret and the literal default value the
/// AppHost published, if any (a generated default, <c>default.generate</c>, has no value here).
/// </summary>
public sealed record ManifestParameterInput(bool Secret, string? DefaultValue, bool GeneratedDefault);
