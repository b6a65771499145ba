using System.CommandLine;
using System.Globalization;
using Rill.Cli.Options;
using Rill.Cli.Output;

namespace Rill.Cli.Commands;

/// <summary><c>rill taskmanagers</c>: the TaskManagers registered with the JobManager and their slots.</summary>
internal static class TaskManagersCommand
{
    public static Command Create()
    {
        var jobManager = ClusterOptions.JobManager();
        var authToken = ClusterOptions.AuthToken("Bearer token for the JobManager's REST API");
        var command = new Command("taskmanagers", "List the TaskManagers registered with the JobManager and their slots.") { jobManager, authToken };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = ClusterOptions.Connect(parse, jobManager, authToken);
            var taskManagers = await client.ListTaskManagersAsync(cancellation).ConfigureAwait(false);
            var table = Terminal.CreateTable("ID", "SLOTS", "FREE SLOTS");
            foreach (var taskManager in taskManagers.OrderBy(t => t.Id, StringComparer.Ordinal))
            {
                Terminal.AddRow(table, taskManager.Id,
                    taskManager.SlotsNumber.ToString(CultureInfo.InvariantCulture), taskManager.FreeSlots.ToString(CultureInfo.InvariantCulture));
            }

            Terminal.CreateStdout().Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
