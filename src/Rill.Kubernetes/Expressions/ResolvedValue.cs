using System.Text;

namespace Rill.Kubernetes.Expressions;

/// <summary>A manifest string with its expressions resolved: literal text, with secrets kept apart as references.</summary>
public sealed record ResolvedValue(IReadOnlyList<ValuePart> Parts)
{
    public bool HasSecrets => Parts.Any(part => part is SecretPart);

    public IEnumerable<string> Secrets => Parts.OfType<SecretPart>().Select(part => part.Parameter).Distinct(StringComparer.Ordinal);

    /// <summary>The value as plain text; only for values without secrets.</summary>
    public string Text => HasSecrets
        ? throw new InvalidOperationException("A value with a secret has no plain text form.")
        : string.Concat(Parts.Cast<LiteralPart>().Select(part => part.Text));

    /// <summary>
    /// The value for a container's <c>env[].value</c> or <c>args</c>, where Kubernetes expands <c>$(NAME)</c>: each secret
    /// becomes a reference to the variable that holds it, and literal <c>$(</c> is escaped as <c>$$(</c> so it stays text.
    /// </summary>
    public string ToKubernetesExpansion(Func<string, string> secretVariable)
    {
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            text.Append(part switch
            {
                LiteralPart literal => literal.Text.Replace("$(", "$$(", StringComparison.Ordinal),
                SecretPart secret => $"$({secretVariable(secret.Parameter)})",
                _ => throw new InvalidOperationException($"Unknown value part {part}."),
            });
        }

        return text.ToString();
    }
}
