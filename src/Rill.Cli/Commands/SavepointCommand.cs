using System.CommandLine;
using Rill.Cli.Options;

namespace Rill.Cli.Commands;

/// <summary>
/// <c>rill savepoint JOBID [TARGET_DIRECTORY]</c>: takes a savepoint of a running job, which keeps running, and prints
/// where it is once complete (what <c>rill run --from-savepoint</c> takes).
/// </summary>
internal static class SavepointCommand
{
    public static Command Create()
    {
        var jobId = JobIdArgument.Create();
        var targetDirectory = new Argument<string?>("TARGET_DIRECTORY")
        {
            Description = "Absolute directory on the cluster's file system to write the savepoint under; default the cluster's savepoint directory.",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = OptionValues.AbsolutePath,
        };
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("savepoint", "Take a savepoint of a running job and wait until it is complete.") { jobId, targetDirectory, jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var id = parse.GetRequiredValue(jobId);
            var requestId = await client.TriggerSavepointAsync(id, parse.GetValue(targetDirectory), cancellation).ConfigureAwait(false);
            var location = await SavepointWait.LocationAsync(client, id, requestId, $"Job {id}: taking a savepoint", cancellation).ConfigureAwait(false);
            Console.WriteLine($"Savepoint completed. Path: {location}");
            return ExitCodes.Success;
        });
        return command;
    }
}
