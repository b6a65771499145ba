namespace Rill.Connectors.Redis;

/// <summary>Redis refused or lost a write of a Rill sink; the message carries Redis's own and the key, the cause is the client's exception.</summary>
public sealed class RedisWriteException(string message, Exception innerException) : IOException(message, innerException);
