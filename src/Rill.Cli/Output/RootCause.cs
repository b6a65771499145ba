using Rill.Cli.Rest;

namespace Rill.Cli.Output;

/// <summary>
/// Why a job failed, in one line: the newest entry of the exception history (the failure that ended the job), with
/// the task it happened in. Full stack traces stay on the server (<c>GET /jobs/{id}/exceptions</c>).
/// </summary>
internal static class RootCause
{
    public static string Describe(JobExceptionsResponse exceptions)
    {
        if (exceptions.History?.Entries is { Count: > 0 } entries)
        {
            var last = entries[^1];
            var exception = string.IsNullOrEmpty(last.Message) ? last.ExceptionName : $"{last.ExceptionName}: {last.Message}";
            var where = string.IsNullOrEmpty(last.TaskName) ? string.Empty : $" in {last.TaskName}";
            var taskManager = string.IsNullOrEmpty(last.TaskManagerId) ? string.Empty : $" on {last.TaskManagerId}";
            return OneLine($"{exception ?? FirstLine(last.StackTrace) ?? "unknown cause"}{where}{taskManager}");
        }

        return FirstLine(exceptions.RootException) ?? "the JobManager recorded no cause";
    }

    private static string? FirstLine(string? text) =>
        text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
