using System.Text.RegularExpressions;
using Rill.State;
using Rill.StateBackend.RocksDb;

[assembly: StateBackendFactory(StateBackends.RocksDb, typeof(RocksDbStateBackendFactory))]

namespace Rill.StateBackend.RocksDb;

/// <summary>Creates a RocksDB instance per operator subtask, each in a folder of its own under the configured local directory.</summary>
internal sealed partial class RocksDbStateBackendFactory : IStateBackendFactory
{
    public KeyedStateBackend<TKey> CreateKeyedStateBackend<TKey>(KeyedStateBackendParameters parameters) where TKey : notnull
    {
        // Named after what it belongs to, so a folder left behind by a killed process can be told apart; the random
        // suffix keeps two attempts (or two jobs with the same operator) in one process apart.
        var name = $"job-{parameters.JobId:N}-op-{Unsafe().Replace(parameters.OperatorId, "_")}-{parameters.SubtaskIndex}-{parameters.AttemptNumber}-{Guid.NewGuid().ToString("N")[..8]}";
        return new RocksDbKeyedStateBackend<TKey>(parameters.KeyGroupRange, parameters.MaxParallelism, Path.Combine(parameters.LocalDirectory, "rocksdb", name));
    }

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex Unsafe();
}
