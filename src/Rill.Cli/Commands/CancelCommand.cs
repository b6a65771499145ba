using System.CommandLine;
using Rill.Cli.Options;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill cancel JOBID</c>: asks the JobManager to cancel a job and returns at once; the job reaches CANCELED when
/// its tasks have stopped (<c>rill info</c> shows it).
/// </summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var jobId = JobIdArgument.Create();
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("cancel", "Cancel a job.") { jobId, jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var id = parse.GetRequiredValue(jobId);
            await client.CancelJobAsync(id, cancellation).ConfigureAwait(false);
            Console.WriteLine($"Cancellation of job {id} requested.");
            return ExitCodes.Success;
        });
        return command;
    }
}
