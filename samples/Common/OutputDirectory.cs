namespace Rill.Samples;

internal static class OutputDirectory
{
    /// <summary>
    /// Whether this process checks the output directory for earlier results: an embedded run, or the JobManager of a
    /// static cluster. Not a TaskManager (the job may already have published results when it starts), and not a
    /// cluster planning the program (it runs the program only to rebuild the job's graph).
    /// </summary>
    public static bool ResultsAreCheckedHere(Rill.Api.DeploymentOptions deployment) =>
        !Rill.Executors.ProgramPlanner.IsPlanning && (!deployment.IsDistributed || deployment.Role == "jobmanager");

    /// <summary>
    /// Creates the directory, or refuses one that already holds results, so results of two runs are never mixed
    /// or overwritten. Names starting with a dot are never results (the file sink's unpublished in-progress
    /// files look like that, e.g. after a failed run). Creating it here, not in the job, reports a bad path as
    /// one clear line before any work starts, and leaves an empty directory when there are no results. In a
    /// distributed run only the JobManager's process checks for results: the others may start after it published some.
    /// </summary>
    public static void Prepare(string path, bool refuseExistingResults = true)
    {
        if (File.Exists(path))
        {
            throw new IOException($"output path {path} is a file, not a directory");
        }

        if (refuseExistingResults && Directory.Exists(path) && Directory.EnumerateFiles(path).Any(file => !Path.GetFileName(file).StartsWith('.')))
        {
            throw new IOException($"output directory {path} already holds results; remove them or choose another directory");
        }

        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create output directory {path}: {e.Message}", e);
        }
    }
}
