using RocksDbSharp;

namespace Rill.StateBackend.RocksDb;

/// <summary>
/// One embedded RocksDB in a folder of its own for one operator subtask; closing it deletes the folder. It is a
/// working copy only: checkpoints hold the state, so nothing here needs to survive the process.
/// </summary>
internal sealed class RocksDbInstance : IDisposable
{
    // Many small instances share one process (one per keyed operator subtask): a smaller memtable than RocksDB's 64 MB
    // default keeps an idle job's footprint low, and state that outgrows it is flushed to disk, which is the point.
    private const ulong WriteBufferSize = 8 << 20;

    private readonly DbOptions _options;
    private readonly ColumnFamilyOptions _columnFamilyOptions;
    private RocksDbSharp.RocksDb? _db;

    public RocksDbInstance(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        _options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetErrorIfExists(true)
            .SetInfoLogLevel(InfoLogLevel.Warn)
            .SetKeepLogFileNum(1);
        _columnFamilyOptions = new ColumnFamilyOptions().SetWriteBufferSize(WriteBufferSize);
        _db = RocksDbSharp.RocksDb.Open(_options, directory, new ColumnFamilies(_columnFamilyOptions));

        // No write-ahead log: a crash loses the instance anyway, and recovery starts from the last checkpoint.
        WriteOptions = new WriteOptions().DisableWal(1);
    }

    public string Directory { get; }

    public RocksDbSharp.RocksDb Db => _db ?? throw new ObjectDisposedException(nameof(RocksDbInstance), $"The RocksDB instance in {Directory} is closed.");

    public WriteOptions WriteOptions { get; }

    /// <summary>A column family per state, so a state's entries are apart from every other state's and scans see only them.</summary>
    public ColumnFamilyHandle CreateColumnFamily(string stateName) => Db.CreateColumnFamily(_columnFamilyOptions, "state:" + stateName);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _db, null) is not { } db)
        {
            return;
        }

        db.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder must not fail a task that otherwise ended well (or replace its real failure).
        }
    }
}
