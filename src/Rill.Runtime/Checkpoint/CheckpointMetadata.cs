using System.Text.Json;
using Rill.Checkpointing;

namespace Rill.Runtime.Checkpoint;

/// <summary>
/// Reads and writes a checkpoint's <c>_metadata</c> file (JSON, versioned). Written last and atomically (temp file,
/// then rename), so a directory with metadata is a complete checkpoint; reading validates it and names what is wrong.
/// </summary>
public static class CheckpointMetadata
{
    private const int Version = 1;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private sealed record MetadataFile(int Version, CompletedCheckpoint Checkpoint);

    public static void Write(CompletedCheckpoint checkpoint)
    {
        Directory.CreateDirectory(checkpoint.Location);
        var temporary = checkpoint.MetadataPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, new MetadataFile(Version, checkpoint), Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, checkpoint.MetadataPath, overwrite: true);
    }

    /// <summary>Reads a checkpoint from its directory or its metadata file; throws <see cref="CheckpointException"/> with the reason.</summary>
    public static CompletedCheckpoint Read(string path)
    {
        var full = Path.GetFullPath(path);
        var file = Directory.Exists(full) ? Path.Combine(full, CompletedCheckpoint.MetadataFileName) : full;
        if (!File.Exists(file))
        {
            throw new CheckpointException(Directory.Exists(full)
                ? $"'{path}' is not a checkpoint or savepoint: it has no {CompletedCheckpoint.MetadataFileName} file."
                : $"Savepoint or checkpoint path '{path}' does not exist.");
        }

        MetadataFile? metadata;
        try
        {
            using var stream = File.OpenRead(file);
            metadata = JsonSerializer.Deserialize<MetadataFile>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"The metadata file {file} is corrupt: {e.Message}", e);
        }

        if (metadata?.Checkpoint is not { } checkpoint || checkpoint.Operators is null || checkpoint.CoordinatorStates is null)
        {
            throw new CheckpointException($"The metadata file {file} is corrupt: it holds no checkpoint.");
        }

        if (metadata.Version != Version)
        {
            throw new CheckpointException($"The metadata file {file} has format version {metadata.Version}; this Rill reads version {Version}.");
        }

        // The files sit next to the metadata: a checkpoint directory that was moved or copied still restores.
        var directory = Path.GetDirectoryName(file)!;
        return Relocate(checkpoint, directory);
    }

    private static CompletedCheckpoint Relocate(CompletedCheckpoint checkpoint, string directory)
    {
        if (string.Equals(Path.GetFullPath(checkpoint.Location), directory, StringComparison.Ordinal))
        {
            return checkpoint;
        }

        StateSlice Move(StateSlice slice) => slice with { File = Path.Combine(directory, Path.GetFileName(slice.File)) };
        return checkpoint with
        {
            Location = directory,
            Operators = checkpoint.Operators.Select(o => o with
            {
                Subtasks = o.Subtasks.Select(s => s with
                {
                    KeyGroups = s.KeyGroups.Select(k => k with { Slice = Move(k.Slice) }).ToList(),
                    ListStates = s.ListStates.Select(l => l with { Elements = l.Elements.Select(Move).ToList() }).ToList(),
                }).ToList(),
            }).ToList(),
        };
    }
}
