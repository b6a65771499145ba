namespace Rill.Runtime.Messages;

/// <summary>
/// Which program a session-mode job runs: an uploaded artifact, its entry class and arguments, and the default
/// parallelism it was planned with. Every process that needs the job's graph plans this same program.
/// </summary>
public sealed record ProgramReference(string ArtifactId, string? EntryClass, IReadOnlyList<string> Arguments, int? Parallelism);
