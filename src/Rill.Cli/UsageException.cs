namespace Rill.Cli;

/// <summary>
/// A mistake in the command line found only when the command runs (a file that is not there, options that contradict
/// each other): reported like a parse error, with exit code 2, before anything is sent.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
