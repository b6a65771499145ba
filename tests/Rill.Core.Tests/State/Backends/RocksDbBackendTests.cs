using Rill.State;
using Rill.StateBackend.RocksDb;

namespace Rill.Tests.State.Backends;

/// <summary>What only the RocksDB backend has: a database folder per subtask, found by name without Rill.Core depending on it.</summary>
public sealed class RocksDbBackendTests : IDisposable
{
    private readonly TestBackends _backends = new();

    public void Dispose() => _backends.Dispose();

    [Fact]
    public void TheBackendIsFoundByNameInItsOwnAssembly()
    {
        var factory = StateBackendLoader.Load("RocksDB");

        Assert.Equal("Rill.StateBackend.RocksDb", factory.GetType().Assembly.GetName().Name);
        Assert.DoesNotContain(typeof(KeyedStateBackend<>).Assembly.GetReferencedAssemblies(), a => a.Name!.Contains("RocksDb", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void AnUnknownBackendIsRefusedWithTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => StateBackendLoader.Load("memory"));

        Assert.Contains("'heap' or 'rocksdb'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachSubtaskGetsItsOwnFolderUnderTheLocalDirectoryAndClosingDeletesIt()
    {
        var first = (RocksDbKeyedStateBackend<int>)_backends.CreateSubtask<int>(StateBackends.RocksDb, 2, 0);
        var second = (RocksDbKeyedStateBackend<int>)_backends.CreateSubtask<int>(StateBackends.RocksDb, 2, 1);
        first.SetCurrentKey(Enumerable.Range(0, 100).First(k => first.KeyGroupRange.Contains(KeyGroupRangeAssignment.AssignToKeyGroup(k, first.MaxParallelism))));
        first.GetState(new ValueStateDescriptor<int>("v")).Update(1);

        Assert.NotEqual(first.Directory, second.Directory);
        Assert.StartsWith(Path.GetFullPath(_backends.LocalDirectory), first.Directory, StringComparison.Ordinal);
        Assert.True(Directory.Exists(first.Directory));

        first.Dispose();
        first.Dispose(); // closing twice is harmless (a failing task may close after a dispose)

        Assert.False(Directory.Exists(first.Directory));
        Assert.True(Directory.Exists(second.Directory));
    }

    [Fact]
    public void StateLargerThanAMemtableIsFlushedAndStillReadsBack()
    {
        var backend = _backends.Create<int>(StateBackends.RocksDb);
        var state = backend.GetState(new ValueStateDescriptor<string>("payload"));
        var payload = new string('x', 1_000);
        for (var key = 0; key < 20_000; key++) // ~40 MB of UTF-16: several 8 MB memtables, so most of it is in SST files
        {
            backend.SetCurrentKey(key);
            state.Update(payload + key);
        }

        for (var key = 0; key < 20_000; key += 97)
        {
            backend.SetCurrentKey(key);
            Assert.Equal(payload + key, state.Value);
        }

        Assert.Equal(20_000, backend.CountEntries("payload"));
    }
}
