namespace Rill.Cli;

/// <summary>
/// An expected failure whose message is complete for the user (a process that could not start, a job that is gone):
/// printed as one "error:" line with exit code 1, never with a stack trace.
/// </summary>
internal sealed class CommandFailedException(string message, Exception? inner = null) : Exception(message, inner);
