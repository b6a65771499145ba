namespace Rill.Checkpointing;

/// <summary>Appends state to one file of a checkpoint and tells where each piece landed.</summary>
public sealed class StateFileWriter : IDisposable
{
    private readonly FileStream _stream;

    /// <param name="createDirectory">False for a task's checkpoint files: the JobMaster creates a checkpoint's folder, and a
    /// folder that is gone means the checkpoint was aborted, so the write fails instead of bringing it back.</param>
    public StateFileWriter(string path, bool createDirectory = true)
    {
        Path = path;
        if (createDirectory)
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }

        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public string Path { get; }

    public StateSlice Write(ReadOnlySpan<byte> bytes)
    {
        var slice = new StateSlice(Path, _stream.Position, bytes.Length);
        _stream.Write(bytes);
        return slice;
    }

    /// <summary>A checkpoint only counts once its bytes are on disk, not in the page cache.</summary>
    public void Commit() => _stream.Flush(flushToDisk: true);

    public void Dispose() => _stream.Dispose();
}
