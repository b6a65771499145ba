using System.Globalization;
using System.Text.RegularExpressions;
using Rill.Kubernetes.Manifest;
using Rill.Kubernetes.Topology;

namespace Rill.Kubernetes.Expressions;

/// <summary>
/// Resolves Aspire's manifest expressions for a cluster where every deployable resource is reached through a Service
/// named after it: <c>{redis.bindings.tcp.host}</c> → <c>redis</c>, <c>{redis.bindings.tcp.port}</c> → the Service's
/// port, <c>…url</c> → <c>scheme://redis:port</c>, <c>{redis.connectionString}</c> → its connection string resolved the
/// same way, <c>{param.value}</c> → the parameter's value, except that a secret parameter stays a <see cref="SecretPart"/>.
/// Anything else in braces that looks like an expression and cannot be resolved is an error, never copied as text.
/// </summary>
public sealed partial class ExpressionResolver(AspireManifest manifest, KubernetesGenerationOptions options)
{
    private readonly HashSet<string> _resolving = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="template">A manifest string (env value, argument, connection string).</param>
    /// <param name="where">Where it was found, for messages (e.g. <c>resource 'jobmanager', env ConnectionStrings__kafka</c>).</param>
    public ResolvedValue Resolve(string template, string where)
    {
        var parts = new List<ValuePart>();
        var position = 0;
        foreach (Match match in ExpressionPattern().Matches(template))
        {
            AddLiteral(parts, template[position..match.Index]);
            foreach (var part in ResolveExpression(match.Groups[1].Value, where).Parts)
            {
                if (part is LiteralPart literal)
                {
                    AddLiteral(parts, literal.Text);
                }
                else
                {
                    parts.Add(part);
                }
            }

            position = match.Index + match.Length;
        }

        AddLiteral(parts, template[position..]);
        return new ResolvedValue(parts);
    }

    /// <summary>The Kubernetes name of a resource: its Service, workload and DNS host name.</summary>
    public static string ObjectName(ManifestResource resource) => KubernetesNames.Object(resource.Name);

    private ResolvedValue ResolveExpression(string expression, string where)
    {
        var path = expression.Split('.');
        var resource = manifest.Find(path[0])
            ?? throw Unresolvable(expression, where, $"there is no resource '{path[0]}' in the manifest");
        return path[1..] switch
        {
            ["connectionString"] => ResolveConnectionString(resource, expression, where),
            ["value"] or ["inputs", "value"] => ResolveValue(resource, expression, where),
            ["bindings", var binding, var property] => ResolveBinding(resource, binding, property, expression, where),
            _ => throw Unresolvable(expression, where, "it is not a binding property, connectionString or value"),
        };
    }

    private ResolvedValue ResolveConnectionString(ManifestResource resource, string expression, string where)
    {
        var connectionString = resource.ConnectionString
            ?? (resource.Type == ManifestResourceType.Value ? resource.Value : null)
            ?? throw Unresolvable(expression, where, $"resource '{resource.Name}' has no connection string");
        return Nested(resource, connectionString, $"the connection string of '{resource.Name}'", expression, where);
    }

    private ResolvedValue ResolveValue(ManifestResource resource, string expression, string where)
    {
        switch (resource.Type)
        {
            case ManifestResourceType.Parameter when resource.IsSecretParameter:
                return new ResolvedValue([new SecretPart(resource.Name)]);
            case ManifestResourceType.Parameter:
                var value = options.Parameters.TryGetValue(resource.Name, out var given) ? given : resource.Input?.DefaultValue;
                return value is null
                    ? throw Unresolvable(expression, where, $"parameter '{resource.Name}' has no default value; pass --parameter {resource.Name}=VALUE")
                    : new ResolvedValue([new LiteralPart(value)]);
            case ManifestResourceType.Value when (resource.Value ?? resource.ConnectionString) is { } text:
                return Nested(resource, text, $"the value of '{resource.Name}'", expression, where);
            case ManifestResourceType.AnnotatedString when resource.Value is { } annotated:
                return ApplyFilter(resource, Nested(resource, annotated, $"the value of '{resource.Name}'", expression, where), expression, where);
            default:
                throw Unresolvable(expression, where, $"resource '{resource.Name}' ({resource.TypeName}) has no value");
        }
    }

    /// <summary>
    /// <c>uri</c> escapes literal text for use inside a URI. A secret stays a reference (its value is only known in the
    /// cluster): secrets used inside URIs must not need escaping, which holds for the passwords Aspire generates
    /// (letters and digits).
    /// </summary>
    private static ResolvedValue ApplyFilter(ManifestResource resource, ResolvedValue value, string expression, string where) => resource.Filter switch
    {
        null => value,
        "uri" => new ResolvedValue(value.Parts.Select(part => part is LiteralPart literal ? new LiteralPart(Uri.EscapeDataString(literal.Text)) : part).ToList()),
        var filter => throw Unresolvable(expression, where, $"resource '{resource.Name}' has the filter '{filter}', which the generator does not know (it knows 'uri')"),
    };

    private ResolvedValue ResolveBinding(ManifestResource resource, string bindingName, string property, string expression, string where)
    {
        if (resource.Type is not (ManifestResourceType.Project or ManifestResourceType.Container))
        {
            throw Unresolvable(expression, where, $"resource '{resource.Name}' ({resource.TypeName}) is not deployed, so it has no endpoints");
        }

        var binding = resource.FindBinding(bindingName)
            ?? throw Unresolvable(expression, where, $"resource '{resource.Name}' has no binding '{bindingName}'");
        var ports = BindingPorts.Of(resource, binding);
        var host = ObjectName(resource);
        var port = ports.ServicePort.ToString(CultureInfo.InvariantCulture);
        var text = property.ToLowerInvariant() switch
        {
            "host" or "ipv4host" => host,
            "port" => port,
            "targetport" => ports.ContainerPort.ToString(CultureInfo.InvariantCulture),
            "scheme" => binding.Scheme,
            "hostandport" => $"{host}:{port}",
            "url" => $"{binding.Scheme}://{host}:{port}",
            _ => throw Unresolvable(expression, where, $"'{property}' is not a binding property (host, port, targetPort, scheme, url, hostAndPort)"),
        };
        return new ResolvedValue([new LiteralPart(text)]);
    }

    private ResolvedValue Nested(ManifestResource resource, string template, string what, string expression, string where)
    {
        if (!_resolving.Add(resource.Name))
        {
            throw Unresolvable(expression, where, $"{what} refers back to itself");
        }

        try
        {
            return Resolve(template, what);
        }
        finally
        {
            _resolving.Remove(resource.Name);
        }
    }

    private static void AddLiteral(List<ValuePart> parts, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (parts.Count > 0 && parts[^1] is LiteralPart previous)
        {
            parts[^1] = new LiteralPart(previous.Text + text);
        }
        else
        {
            parts.Add(new LiteralPart(text));
        }
    }

    private static ManifestException Unresolvable(string expression, string where, string reason) =>
        new($"{where}: cannot resolve the expression {{{expression}}}: {reason}.");

    /// <summary>
    /// <c>{name.more.parts}</c>: braces around a dotted path of names. Other text in braces (JSON in an env value, a
    /// shell's <c>${VAR}</c>) is not an Aspire expression and stays as it is.
    /// </summary>
    [GeneratedRegex(@"(?<!\$)\{([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+)\}")]
    private static partial Regex ExpressionPattern();
}
