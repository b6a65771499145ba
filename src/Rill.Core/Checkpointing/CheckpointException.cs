namespace Rill.Checkpointing;

/// <summary>A checkpoint or savepoint cannot be taken, read or restored; the message says why.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
