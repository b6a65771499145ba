namespace Rill.Runtime.Messages;

/// <summary>One rescale of a reactive job: why, from and to which parallelism, and how long processing paused.</summary>
public sealed record RescaleEntry(DateTimeOffset Time, string Cause, int From, int To, long PauseMs);
