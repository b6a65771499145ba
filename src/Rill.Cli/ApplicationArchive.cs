using System.IO.Compression;

namespace Rill.Cli;

/// <summary>
/// An application packaged for upload: the whole build output folder of its dll, zipped with paths relative to that
/// folder, as the JobManager expects (the dll, its runtimeconfig and every dependency beside them). The zip lives in
/// a temporary file that disappears when the stream is closed, so a large application is never held in memory.
/// </summary>
internal static class ApplicationArchive
{
    public static async Task<Stream> CreateAsync(string directory, CancellationToken cancellation)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rill-upload-{Guid.NewGuid():N}.zip");
        var zip = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            // Fastest: build outputs are mostly already-compressed IL; time matters more than a few percent of size.
            await ZipFile.CreateFromDirectoryAsync(directory, zip, CompressionLevel.Fastest, includeBaseDirectory: false, cancellation).ConfigureAwait(false);
            zip.Position = 0;
            return zip;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await zip.DisposeAsync().ConfigureAwait(false);
            throw new CommandFailedException($"cannot package {directory}: {e.Message}", e);
        }
        catch
        {
            await zip.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
