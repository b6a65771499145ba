namespace Rill.Kubernetes.Manifest;

/// <summary>The kinds of Aspire manifest resources the generator understands (the <c>type</c> field without its version).</summary>
public enum ManifestResourceType
{
    /// <summary><c>project.v0</c>/<c>project.v1</c>: a .NET project, deployed as its published container image.</summary>
    Project,

    /// <summary><c>container.v0</c>/<c>container.v1</c>: a container image (or one built from a Dockerfile).</summary>
    Container,

    /// <summary><c>executable.v0</c>: a program on the developer's machine; it has no image, so it cannot be deployed.</summary>
    Executable,

    /// <summary><c>parameter.v0</c>: a value supplied at deployment, possibly secret.</summary>
    Parameter,

    /// <summary><c>value.v0</c>: a named value, usually a connection string made of other resources' expressions.</summary>
    Value,

    /// <summary>
    /// <c>annotated.string</c>: another value with a filter applied where it is used (Aspire 13 writes one for a password
    /// inside a URI, with <c>"filter": "uri"</c>).
    /// </summary>
    AnnotatedString,
}
