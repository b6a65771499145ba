using Rill.Checkpointing;
using Rill.State;

namespace Rill.Tests.State.Backends;

/// <summary>
/// Creates backends by name through the same loader jobs use, each in a local directory the test owns, and takes
/// snapshots the way a task does (through a state file), so the bytes tested are the bytes a checkpoint holds.
/// </summary>
internal sealed class TestBackends : IDisposable
{
    public const int MaxParallelism = 128;

    private readonly List<IDisposable> _created = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rill-backends-" + Guid.NewGuid().ToString("N")[..8]);

    public string LocalDirectory => Path.Combine(Root, "local");

    public KeyedStateBackend<TKey> Create<TKey>(string backend, KeyGroupRange? range = null) where TKey : notnull
    {
        var parameters = new KeyedStateBackendParameters(range ?? new KeyGroupRange(0, MaxParallelism - 1), MaxParallelism, Guid.NewGuid(), "test-operator", 0, 0, LocalDirectory);
        var created = StateBackendLoader.Load(backend).CreateKeyedStateBackend<TKey>(parameters);
        _created.Add(created);
        return created;
    }

    /// <summary>Backend <paramref name="subtask"/> of <paramref name="parallelism"/>: the key-group range a task would get.</summary>
    public KeyedStateBackend<TKey> CreateSubtask<TKey>(string backend, int parallelism, int subtask) where TKey : notnull =>
        Create<TKey>(backend, KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(MaxParallelism, parallelism, subtask));

    /// <summary>The backend's snapshot as a restoring task reads it back: key group and bytes, from a state file.</summary>
    public IReadOnlyList<(int KeyGroup, byte[] Bytes)> Snapshot<TKey>(KeyedStateBackend<TKey> backend) where TKey : notnull
    {
        var state = WriteSnapshot(backend, "operator", Path.Combine(Root, "snapshots", Guid.NewGuid().ToString("N") + ".state"));
        return new StateInitializationContext(1, state).ReadKeyGroups().ToList();
    }

    public static OperatorSubtaskState WriteSnapshot<TKey>(KeyedStateBackend<TKey> backend, string operatorId, string file) where TKey : notnull
    {
        var context = new StateSnapshotContext(1, CheckpointKind.Checkpoint, operatorId);
        backend.Snapshot(context);
        using var writer = new StateFileWriter(file);
        var state = context.WriteTo(writer);
        writer.Commit();
        return state;
    }

    public void Dispose()
    {
        foreach (var backend in _created)
        {
            backend.Dispose();
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
