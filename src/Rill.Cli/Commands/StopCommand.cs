using System.CommandLine;
using Rill.Cli.Options;
using Rill.Cli.Rest;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill stop JOBID [--savepoint-path DIR]</c>: Flink's stop-with-savepoint. The sources stop right after a savepoint,
/// so the savepoint holds everything the job did and a job started from it continues exactly there; the command waits
/// until the job is FINISHED.
/// </summary>
internal static class StopCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var jobId = JobIdArgument.Create();
        var savepointPath = new Option<string?>("--savepoint-path")
        {
            Description = "Absolute directory on the cluster's file system to write the savepoint under; default the cluster's savepoint directory.",
            HelpName = "DIR",
            CustomParser = OptionValues.AbsolutePath,
        };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "How long to wait, once the savepoint is complete, for the job to be FINISHED; default 60.",
            HelpName = "SECONDS",
            CustomParser = OptionValues.Seconds,
        };
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("stop", "Stop a job with a savepoint and wait until it is FINISHED.") { jobId, savepointPath, timeout, jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var id = parse.GetRequiredValue(jobId);
            var requestId = await client.StopWithSavepointAsync(id, parse.GetValue(savepointPath), cancellation).ConfigureAwait(false);
            var location = await SavepointWait.LocationAsync(client, id, requestId, $"Job {id}: stopping with a savepoint", cancellation).ConfigureAwait(false);
            Console.WriteLine($"Savepoint completed. Path: {location}");
            if (await WaitUntilFinishedAsync(client, id, location, parse.GetValue(timeout) ?? TimeSpan.FromSeconds(60), cancellation).ConfigureAwait(false))
            {
                Console.WriteLine($"Job {id} FINISHED.");
            }
            else
            {
                // Flink's stop, too, ends with the savepoint: an application cluster (or an embedded job) exits with its job.
                Console.WriteLine($"Job {id} stopped: the JobManager exited after the savepoint, as an application cluster does with its job.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The savepoint is complete before the tasks have ended: a job that then fails must not pass for stopped. True once it
    /// is FINISHED; false when the JobManager stopped answering after reporting it still running (an application cluster's
    /// JobManager exits with its job, its REST API with it).
    /// </summary>
    private static async Task<bool> WaitUntilFinishedAsync(RestClusterClient client, string jobId, string location, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string state;
            try
            {
                state = (await client.GetJobAsync(jobId, cancellation).ConfigureAwait(false)).State;
            }
            catch (RestClientException e) when (e.StatusCode is null)
            {
                return false;
            }

            if (state == JobStates.Finished)
            {
                return true;
            }

            if (JobStates.IsTerminal(state))
            {
                throw new CommandFailedException($"the savepoint is complete ({location}), but job {jobId} ended {state} instead of FINISHED.");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new CommandFailedException(
                    $"the savepoint is complete ({location}), but job {jobId} is still {state} after {timeout.TotalSeconds:0} s ('rill info {jobId}' shows why).");
            }

            await Task.Delay(PollInterval, cancellation).ConfigureAwait(false);
        }
    }
}
