using System.Globalization;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// <c>RILL_CONSOLE_LOG</c> says where a Rill process's log lines go: stderr by default (the other tests read them
/// there), stdout for a console that shows stderr as errors (the Aspire dashboard's), or nowhere when another logger
/// (OpenTelemetry) has them. A JobManager of an application shows it: it logs its REST address and its job's submission.
/// </summary>
[Collection(ClusterProcesses.Name)]
public sealed class ConsoleLogTests(ReferenceRuns references, ITestOutputHelper log)
{
    [Fact]
    public async Task With_stdout_the_log_lines_go_to_stdout_and_stderr_stays_empty()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(60));
        var jobManager = await StartJobManagerAsync(harness, "stdout");

        var lines = jobManager.OutputLines;
        harness.Check(lines.Any(line => ClusterHarness.RestAddressLine().IsMatch(line)), "The JobManager's REST address line is not on stdout.");
        harness.Check(lines.Any(line => line.StartsWith("Job WordCount (", StringComparison.Ordinal) && line.EndsWith(") submitted.", StringComparison.Ordinal)),
            "The job's submission is not on stdout.");
        harness.Check(jobManager.ErrorLines.Count == 0, "With RILL_CONSOLE_LOG=stdout nothing belongs on stderr.");
        log.WriteLine(harness.Diagnostics());
    }

    [Fact]
    public async Task With_off_nothing_reaches_the_console()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(60));
        var jobManager = await StartJobManagerAsync(harness, "off");

        harness.Check(jobManager.OutputLines.Count == 0 && jobManager.ErrorLines.Count == 0, "With RILL_CONSOLE_LOG=off the JobManager must print nothing.");
        log.WriteLine(harness.Diagnostics());
    }

    [Fact]
    public async Task An_unknown_value_is_named_once_and_the_logs_stay_on_stderr()
    {
        await using var harness = new ClusterHarness(TimeSpan.FromSeconds(60));
        var jobManager = await StartJobManagerAsync(harness, "sdterr");

        var lines = jobManager.ErrorLines;
        harness.Check(lines.Count(line => line == "warn: RILL_CONSOLE_LOG='sdterr' is not stderr, stdout or off; logging to stderr.") == 1,
            "The unknown value should be named exactly once, on stderr.");
        harness.Check(lines.Any(line => ClusterHarness.RestAddressLine().IsMatch(line)), "The JobManager's REST address line is not on stderr.");
        harness.Check(jobManager.OutputLines.Count == 0, "Nothing belongs on stdout.");
        log.WriteLine(harness.Diagnostics());
    }

    /// <summary>
    /// A WordCount JobManager (no slots, no TaskManagers: its job waits), returned once its REST API lists the job: by
    /// then it has logged its REST address and the submission, since both come before the job is listed.
    /// </summary>
    private async Task<ClusterProcess> StartJobManagerAsync(ClusterHarness harness, string consoleLog)
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var jobManager = harness.StartWithEnvironment("jobmanager", Programs.WordCount, new Dictionary<string, string> { ["RILL_CONSOLE_LOG"] = consoleLog },
            "--input", references.WordCountInput, "--output", harness.PathOf("out"), "--role", "jobmanager", "--slots", "0", "--rest-port", port);
        var rest = new Uri($"http://127.0.0.1:{port}/");
        await harness.WaitUntilAsync("the JobManager lists its job", TimeSpan.FromSeconds(30),
            async () => (await harness.GetJsonAsync(rest, "jobs")).GetProperty("jobs").GetArrayLength() == 1);
        return jobManager;
    }
}
