using Rill.Cli.Output;
using Rill.Cli.Rest;
using Spectre.Console;

namespace Rill.Cli.Commands;

/// <summary>
/// Polls a savepoint operation (a savepoint or a stop-with-savepoint) until the JobManager reports its outcome: the
/// savepoint's location, or a <see cref="CommandFailedException"/> with the cause in one line.
/// </summary>
internal static class SavepointWait
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<string> LocationAsync(RestClusterClient client, string jobId, string requestId, string activity, CancellationToken cancellation)
    {
        SavepointStatusResponse status;
        try
        {
            status = Terminal.IsInteractive
                ? await Terminal.CreateStdout().Status().StartAsync(Markup.Escape(activity), _ => PollAsync(client, jobId, requestId, cancellation)).ConfigureAwait(false)
                : await PollAsync(client, jobId, requestId, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C ends the wait, not the savepoint: saying where its outcome is keeps the user from taking a second one.
            throw new CommandFailedException(
                $"stopped waiting; the savepoint of job {jobId} goes on on the cluster (GET /jobs/{jobId}/savepoints/{requestId} tells its outcome).");
        }

        if (status.Operation?.Location is { Length: > 0 } location)
        {
            return location;
        }

        var cause = status.Operation?.FailureCause?.Describe() ?? "the JobManager reported neither a location nor a cause";
        throw new CommandFailedException($"the savepoint of job {jobId} failed: {cause}");
    }

    private static async Task<SavepointStatusResponse> PollAsync(RestClusterClient client, string jobId, string requestId, CancellationToken cancellation)
    {
        while (true)
        {
            var status = await client.GetSavepointStatusAsync(jobId, requestId, cancellation).ConfigureAwait(false);
            if (status.IsCompleted)
            {
                return status;
            }

            await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
        }
    }
}
