namespace Rill.Runtime.Rpc;

/// <summary>
/// An exception raised in another process, rebuilt from its type name, message and text: the original type may not
/// exist here (user code loaded only in a TaskManager), so it is never re-instantiated.
/// </summary>
public sealed class RemoteException(string originalTypeName, string message, string details) : Exception(message)
{
    public string OriginalTypeName { get; } = originalTypeName;

    /// <summary>The original exception's <c>ToString()</c>: type, message, inner exceptions and stack traces.</summary>
    public string Details { get; } = details;

    public override string ToString() => Details;
}
