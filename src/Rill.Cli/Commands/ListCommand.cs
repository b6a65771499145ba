using System.CommandLine;
using Rill.Cli.Options;
using Rill.Cli.Output;
using Rill.Cli.Rest;

namespace Rill.Cli.Commands;

/// <summary><c>rill list</c>: every job the JobManager knows, running or ended, newest first.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("list", "List the jobs of the cluster (running and ended).") { jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var jobs = await client.ListJobsAsync(cancellation).ConfigureAwait(false);
            // GET /jobs has ids and states only; names and times need one details request per job, a few at a time so
            // a long history does not flood the JobManager.
            var details = new JobDetailsResponse?[jobs.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, jobs.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation },
                async (i, ct) => details[i] = await DetailsOrNullAsync(client, jobs[i].Id, ct).ConfigureAwait(false)).ConfigureAwait(false);

            var table = Terminal.CreateTable("ID", "NAME", "STATUS", "START", "DURATION");
            foreach (var (job, detail) in jobs.Zip(details).OrderByDescending(row => row.Second?.StartTime ?? long.MaxValue))
            {
                Terminal.AddRow(table, job.Id, detail?.Name ?? "-", detail?.State ?? job.Status,
                    Durations.FormatInstant(detail?.StartTime ?? -1), Durations.Format(detail?.Duration ?? -1));
            }

            Terminal.CreateStdout().Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A job that vanished between the two requests (404) is still listed, with what GET /jobs said.</summary>
    private static async Task<JobDetailsResponse?> DetailsOrNullAsync(RestClusterClient client, string jobId, CancellationToken cancellation)
    {
        try
        {
            return await client.GetJobAsync(jobId, cancellation).ConfigureAwait(false);
        }
        catch (RestClientException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
