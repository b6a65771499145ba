namespace Rill.State;

/// <summary>What a backend knows of the operator subtask whose keyed state it holds.</summary>
/// <param name="LocalDirectory">Base directory for backends that keep state on local disk (each subtask gets a folder of its own in it).</param>
internal sealed record KeyedStateBackendParameters(
    KeyGroupRange KeyGroupRange,
    int MaxParallelism,
    Guid JobId,
    string OperatorId,
    int SubtaskIndex,
    int AttemptNumber,
    string LocalDirectory);
