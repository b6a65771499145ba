namespace Rill.Checkpointing;

/// <summary>A byte range of a state file: one key group's state, or one element of an operator list state.</summary>
public readonly record struct StateSlice(string File, long Offset, int Length);
