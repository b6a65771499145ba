using System.CommandLine;
using System.Globalization;
using Rill.Cli.Options;
using Rill.Cli.Output;
using Rill.Cli.Rest;
using Spectre.Console;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill info JOBID</c>: one job's state and, per vertex (chain of operators), its parallelism, status and where its
/// subtasks run: what to look at when a job is slow or stuck.
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var jobId = JobIdArgument.Create();
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("info", "Show a job's state and its vertices.") { jobId, jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var job = await client.GetJobAsync(parse.GetRequiredValue(jobId), cancellation).ConfigureAwait(false);
            var console = Terminal.CreateStdout();
            console.Write(new Text($"Job {job.Name ?? "-"} ({job.JobId})\n"));
            console.Write(new Text(string.Create(CultureInfo.InvariantCulture,
                $"State: {job.State}  Start: {Durations.FormatInstant(job.StartTime)}  Duration: {Durations.Format(job.Duration)}  Restarts: {job.Restarts}\n")));
            if (job.State == JobStates.Failed)
            {
                var exceptions = await client.GetJobExceptionsAsync(job.JobId, cancellation).ConfigureAwait(false);
                console.Write(new Text($"Root cause: {RootCause.Describe(exceptions)}\n"));
            }

            var table = Terminal.CreateTable("VERTEX", "PARALLELISM", "STATUS", "SUBTASKS PER TASKMANAGER");
            foreach (var vertex in job.Vertices ?? [])
            {
                // Grouped by TaskManager: which machines a vertex depends on matters more than each subtask's slot.
                var placement = (vertex.Subtasks ?? [])
                    .GroupBy(s => s.TaskManagerId ?? "(not deployed)")
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count()}"));
                Terminal.AddRow(table, vertex.Name ?? vertex.Id, vertex.Parallelism.ToString(CultureInfo.InvariantCulture), vertex.Status ?? "-",
                    string.Join(", ", placement));
            }

            console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
