namespace Rill.Runtime.Dispatcher;

/// <summary>
/// A job id that is already taken (Flink's DuplicateJobSubmissionException): the Dispatcher runs or ran a job under it,
/// or a session submission under it asked for something else. Nothing was started. An
/// <see cref="InvalidOperationException"/>, as the Dispatcher's refusal was before it had a type of its own, so callers
/// that only report refusals keep doing so.
/// </summary>
public sealed class DuplicateJobSubmissionException(Guid jobId, string message) : InvalidOperationException(message)
{
    public Guid JobId { get; } = jobId;
}
