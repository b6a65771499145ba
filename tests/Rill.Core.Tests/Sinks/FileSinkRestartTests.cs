using Rill.Sinks;

namespace Rill.Tests.Sinks;

/// <summary>What a restart leaves in a file sink's directory: each subtask's output once, never twice.</summary>
public sealed class FileSinkRestartTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rill-filesink-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void RunAttempt(Guid job, int subtask, int attempt, bool finish, params string[] lines)
    {
        var sink = new FileSink<string>(_directory);
        using var writer = sink.CreateWriter(new SinkWriterContext(subtask, 2, attempt, "File Sink", job));
        foreach (var line in lines)
        {
            writer.Write(line, null);
        }

        writer.Flush(endOfInput: finish);
    }

    private string[] Results() => Directory.GetFiles(_directory).Where(f => !Path.GetFileName(f).StartsWith('.'))
        .SelectMany(File.ReadAllLines).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void A_restarted_attempt_replaces_what_earlier_attempts_of_the_same_job_published()
    {
        var job = Guid.NewGuid();
        RunAttempt(job, subtask: 0, attempt: 0, finish: true, "a", "b");   // published before another subtask failed
        RunAttempt(job, subtask: 1, attempt: 0, finish: false, "c");       // the failure: never published

        RunAttempt(job, subtask: 0, attempt: 1, finish: true, "a", "b");
        RunAttempt(job, subtask: 1, attempt: 1, finish: true, "c");

        Assert.Equal(["a", "b", "c"], Results());
        Assert.Empty(Directory.GetFiles(_directory, "*.inprogress"));
    }

    [Fact]
    public void A_resumed_job_after_a_JobManager_failover_starts_at_attempt_zero_and_still_replaces_its_output()
    {
        var job = Guid.NewGuid();
        RunAttempt(job, subtask: 0, attempt: 0, finish: true, "x");
        RunAttempt(job, subtask: 0, attempt: 0, finish: true, "x"); // the new leader's first attempt of the same job

        Assert.Equal(["x"], Results());
    }

    [Fact]
    public void Another_jobs_results_in_the_same_directory_are_kept()
    {
        RunAttempt(Guid.NewGuid(), subtask: 0, attempt: 0, finish: true, "first job");
        RunAttempt(Guid.NewGuid(), subtask: 0, attempt: 0, finish: true, "second job");

        Assert.Equal(["first job", "second job"], Results());
    }
}
