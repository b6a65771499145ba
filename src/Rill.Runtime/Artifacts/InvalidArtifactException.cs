namespace Rill.Runtime.Artifacts;

/// <summary>
/// An uploaded artifact, or the program it holds, cannot be used. The message is one sentence addressed to the user
/// who uploaded it, so the REST layer can return it as is in a 400 response.
/// </summary>
public sealed class InvalidArtifactException : Exception
{
    public InvalidArtifactException(string message)
        : base(message)
    {
    }

    public InvalidArtifactException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
