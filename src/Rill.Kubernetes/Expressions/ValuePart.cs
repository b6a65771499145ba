namespace Rill.Kubernetes.Expressions;

/// <summary>A piece of a resolved value: text that may go anywhere, or a secret that may only come from a Secret.</summary>
public abstract record ValuePart;

/// <summary>Plain text (literal, or a resolved host, port or non-secret parameter).</summary>
public sealed record LiteralPart(string Text) : ValuePart;

/// <summary>The value of a secret parameter, kept as a reference: the generator never writes it into a file.</summary>
public sealed record SecretPart(string Parameter) : ValuePart;
