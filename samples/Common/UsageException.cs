namespace Rill.Samples;

/// <summary>The command line itself is wrong (unknown option, bad value): reported with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
