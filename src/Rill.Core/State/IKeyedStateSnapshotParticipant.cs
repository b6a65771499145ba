using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// Anything keyed that a checkpoint must hold (state tables, timers, session windows): it writes each entry into the
/// output of the entry's key group, and reads one key group back, so a subtask with another key-group range restores
/// exactly its keys.
/// </summary>
internal interface IKeyedStateSnapshotParticipant
{
    void Snapshot(Func<int, DataOutputSerializer> outputForKeyGroup);

    /// <summary>Reads every entry of one key group (the view ends where that key group's bytes end).</summary>
    void Restore(int keyGroup, DataInputView input);
}
