using System.IO.Compression;
using System.Text.Json;

namespace Rill.Runtime.Artifacts;

/// <summary>
/// Keeps uploaded applications under a root directory, as Flink's JobManager keeps uploaded jars. Each is extracted
/// into <c>&lt;root&gt;/&lt;id&gt;/</c> and validated once, at upload, so every later plan starts from files that
/// are known to hold a runnable application and a bad upload is refused while its sender still waits for an answer.
/// </summary>
/// <remarks>
/// An artifact exists once its metadata file <c>&lt;root&gt;/&lt;id&gt;.json</c> exists: it is written last on upload
/// and deleted first on delete, so <see cref="Get"/> and <see cref="List"/> never see an artifact half extracted or half
/// deleted. Safe to use from several threads. Size limits are the caller's (the REST layer's) business.
/// </remarks>
public sealed class ArtifactStore
{
    private const string MetadataExtension = ".json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ArtifactStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Extracts and validates an uploaded zip of an application's build output folder.</summary>
    /// <param name="zip">The upload; read to the end, not disposed. It need not be seekable.</param>
    /// <param name="fileName">The client's name for the upload, kept for display.</param>
    /// <exception cref="InvalidArtifactException">The upload is not a usable application; nothing of it is kept.</exception>
    public async Task<ArtifactInfo> SaveAsync(Stream zip, string fileName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(zip);
        ArgumentNullException.ThrowIfNull(fileName);

        var id = Guid.NewGuid().ToString("N");
        var directory = Path.Combine(Root, id);
        try
        {
            await ExtractAsync(zip, id, directory, ct).ConfigureAwait(false);
            var application = ApplicationInspector.Inspect(directory);
            var info = new ArtifactInfo(
                id, Path.GetFileName(fileName), DateTimeOffset.UtcNow, directory, application.EntryAssemblyPath, application.EntryPointType);
            await WriteMetadataAsync(info, ct).ConfigureAwait(false);
            return info;
        }
        catch
        {
            // A refused or interrupted upload must not use up disk space, nor show up later as a stray directory.
            TryDeleteDirectory(directory);
            File.Delete(MetadataTemporaryPath(id));
            throw;
        }
    }

    /// <summary>The artifact, or null when there is none with this id (also when the id is malformed).</summary>
    public ArtifactInfo? Get(string id)
    {
        // The id comes from a URL: anything but our own format could name a path outside the root.
        if (!IsId(id))
        {
            return null;
        }

        ArtifactMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ArtifactMetadata>(File.ReadAllBytes(MetadataPath(id)), Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }

        var directory = Path.Combine(Root, id);
        return metadata is null || !Directory.Exists(directory)
            ? null
            : new ArtifactInfo(
                id,
                metadata.FileName,
                metadata.UploadedAt,
                directory,
                Path.GetFullPath(Path.Combine(directory, metadata.EntryAssembly)),
                metadata.EntryPointType);
    }

    /// <summary>All artifacts, oldest upload first.</summary>
    public IReadOnlyList<ArtifactInfo> List() =>
        Directory.EnumerateFiles(Root, "*" + MetadataExtension)
            .Select(path => Get(Path.GetFileNameWithoutExtension(path)))
            .OfType<ArtifactInfo>()
            .OrderBy(artifact => artifact.UploadedAt)
            .ThenBy(artifact => artifact.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Deletes the artifact; false when there was none with this id.</summary>
    public bool Delete(string id)
    {
        if (!IsId(id))
        {
            return false;
        }

        var metadataPath = MetadataPath(id);
        var existed = File.Exists(metadataPath);
        File.Delete(metadataPath);
        TryDeleteDirectory(Path.Combine(Root, id));
        return existed;
    }

    private static bool IsId(string id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    private string MetadataPath(string id) => Path.Combine(Root, id + MetadataExtension);

    private string MetadataTemporaryPath(string id) => MetadataPath(id) + ".tmp";

    private async Task ExtractAsync(Stream upload, string id, string directory, CancellationToken ct)
    {
        // A zip is read from its end (the central directory), so a request body has to be on disk first; a file
        // rather than memory keeps large uploads off the heap.
        // Only plain file and memory streams are read in place: other "seekable" streams (a form file's view of the
        // request body) reject the seeks a damaged archive provokes with exceptions that are not about the archive.
        await using var buffered = upload is FileStream or MemoryStream && upload.CanSeek ? null : await BufferAsync(upload, Path.Combine(Root, id + ".upload"), ct).ConfigureAwait(false);

        ZipArchive? archive = null;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            archive = await ZipArchive.CreateAsync(buffered ?? upload, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, ct).ConfigureAwait(false);
            entries = archive.Entries;
        }
        catch (InvalidDataException e)
        {
            if (archive is not null)
            {
                await archive.DisposeAsync().ConfigureAwait(false);
            }

            throw new InvalidArtifactException("The upload is not a zip archive: zip the build output folder of the application and upload that.", e);
        }

        await using (archive.ConfigureAwait(false))
        {
            // Every entry is checked before anything is written, so a malicious archive leaves no file at all.
            var targets = entries.Select(entry => (Entry: entry, Path: TargetPath(directory, entry))).ToList();
            Directory.CreateDirectory(directory);
            foreach (var (entry, path) in targets)
            {
                if (IsDirectory(entry))
                {
                    Directory.CreateDirectory(path);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                try
                {
                    var source = await entry.OpenAsync(ct).ConfigureAwait(false);
                    await using (source.ConfigureAwait(false))
                    {
                        var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                        await using (target.ConfigureAwait(false))
                        {
                            await source.CopyToAsync(target, ct).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception e) when (e is InvalidDataException or NotSupportedException)
                {
                    throw new InvalidArtifactException($"The zip archive is damaged or uses an unsupported format: its entry '{entry.FullName}' cannot be read.", e);
                }
            }
        }
    }

    private static async Task<FileStream> BufferAsync(Stream upload, string path, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await upload.CopyToAsync(file, ct).ConfigureAwait(false);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsDirectory(ZipArchiveEntry entry) => entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');

    /// <summary>Where an entry goes; refuses entries that would land outside the artifact's directory ("zip slip").</summary>
    private static string TargetPath(string directory, ZipArchiveEntry entry)
    {
        // Some Windows tools write '\' separators: treating them as separators everywhere extracts those zips as
        // intended and catches "..\" on systems where '\' would otherwise be an ordinary file name character.
        var name = entry.FullName.Replace('\\', '/');
        string path;
        try
        {
            path = Path.GetFullPath(Path.Combine(directory, name));
        }
        catch (ArgumentException e)
        {
            throw new InvalidArtifactException($"The zip entry '{entry.FullName}' has a name that is not a valid path.", e);
        }

        if (path != directory && !path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidArtifactException($"The zip entry '{entry.FullName}' points outside the folder it is extracted to, so the upload is refused.");
        }

        return path;
    }

    private async Task WriteMetadataAsync(ArtifactInfo info, CancellationToken ct)
    {
        var metadata = new ArtifactMetadata(
            info.FileName, info.UploadedAt, Path.GetRelativePath(info.Directory, info.EntryAssemblyPath), info.EntryPointType);
        var path = MetadataPath(info.Id);

        // Written aside and moved into place, so a crash never leaves a metadata file that names a half-written artifact.
        var temporary = MetadataTemporaryPath(info.Id);
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(metadata, Json), ct).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or (on Windows) a program being planned still holds its dlls open. The artifact itself is
            // gone either way, as it has no metadata file, and what is left on disk is never listed.
        }
    }

    /// <summary>What <c>&lt;id&gt;.json</c> holds; paths are relative, so the root may move.</summary>
    private sealed record ArtifactMetadata(string FileName, DateTimeOffset UploadedAt, string EntryAssembly, string EntryPointType);
}
