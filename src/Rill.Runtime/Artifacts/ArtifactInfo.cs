namespace Rill.Runtime.Artifacts;

/// <summary>An uploaded application, extracted and validated, ready to be planned (Flink's uploaded jar).</summary>
/// <param name="Id">32 lowercase hex characters, like job ids.</param>
/// <param name="FileName">The name the client gave the upload; for display only, never used as a path.</param>
/// <param name="UploadedAt">When the upload was accepted.</param>
/// <param name="Directory">Where the zip was extracted; deleting the artifact deletes it.</param>
/// <param name="EntryAssemblyPath">The application's main dll, somewhere under <paramref name="Directory"/>.</param>
/// <param name="EntryPointType">Full name of the type whose <c>Main</c> is the entry point (<c>Program</c> for top-level statements).</param>
public sealed record ArtifactInfo(
    string Id,
    string FileName,
    DateTimeOffset UploadedAt,
    string Directory,
    string EntryAssemblyPath,
    string EntryPointType);
