namespace Rill.Checkpointing;

/// <summary>Reads slices of checkpoint state files; a missing or short file is a clear error, never empty state.</summary>
public static class StateFileReader
{
    public static byte[] Read(StateSlice slice)
    {
        if (!File.Exists(slice.File))
        {
            throw new CheckpointException($"State file {slice.File} of the checkpoint is missing.");
        }

        using var stream = new FileStream(slice.File, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (stream.Length < slice.Offset + slice.Length)
        {
            throw new CheckpointException($"State file {slice.File} is shorter than the checkpoint says ({stream.Length} < {slice.Offset + slice.Length} bytes): it is corrupt.");
        }

        var bytes = new byte[slice.Length];
        stream.Seek(slice.Offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }
}
