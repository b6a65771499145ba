using Microsoft.Extensions.Logging;
using Rill.Api;
using Rill.Logging;
using Rill.Sinks;
using Rill.Tests.TestSupport;

namespace Rill.Tests.Logging;

/// <summary>
/// What a host that supplies its own logger factory (Rill.ServiceDefaults: OpenTelemetry) gets from the runtime: its log
/// lines with their component as the category, a level, and the values as structured properties. All in one class:
/// the factory is process-wide, so these tests must not run in parallel with each other.
/// </summary>
public sealed class RillLoggingTests
{
    [Fact]
    public async Task A_job_logs_its_submission_and_each_status_switch_with_the_components_category_and_Information()
    {
        var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        var jobName = "Logged job " + Guid.NewGuid().ToString("N")[..8];
        using (RillLogging.Use(factory))
        {
            var env = TestJobs.Env(1);
            env.FromCollection(Enumerable.Range(0, 10)).SinkTo(new CollectSink<int>());
            await TestJobs.RunAsync(env, jobName);
        }

        var ofJob = provider.Entries.Where(e => Equals(e["JobName"], jobName)).ToList();
        var submitted = Assert.Single(ofJob, e => e.Category == "Rill.Runtime.Dispatcher.Dispatcher");
        Assert.Equal(LogLevel.Information, submitted.Level);
        Assert.StartsWith($"Job {jobName} (", submitted.Message, StringComparison.Ordinal);
        Assert.EndsWith(") submitted.", submitted.Message, StringComparison.Ordinal);

        var switches = ofJob.Where(e => e.Category == "Rill.Runtime.JobMaster.JobMaster" && e["Status"] is not null).ToList();
        Assert.Equal(["CREATED -> RUNNING", "RUNNING -> FINISHED"], switches.Select(e => $"{e["PreviousStatus"]} -> {e["Status"]}"));
        Assert.All(switches, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.All(switches, e => Assert.Equal("Job {JobName} ({JobId}) switched from state {PreviousStatus} to {Status}.", e["{OriginalFormat}"]));
        Assert.Equal(submitted["JobId"], switches[^1]["JobId"]);
        Assert.Matches("^Job .+ \\([0-9a-f]{32}\\) switched from state RUNNING to FINISHED\\.$", switches[^1].Message);
    }

    [Fact]
    public async Task A_failed_jobs_switch_to_FAILED_carries_the_failure_as_its_exception()
    {
        var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(provider));
        var jobName = "Failing logged job " + Guid.NewGuid().ToString("N")[..8];
        var boom = new InvalidDataException("record 7 is bad");
        using (RillLogging.Use(factory))
        {
            var env = TestJobs.Env(1);
            env.FromCollection(Enumerable.Range(0, 10)).Map(i => i == 7 ? throw boom : i).SinkTo(new CollectSink<int>());
            await Assert.ThrowsAsync<JobExecutionException>(() => TestJobs.RunAsync(env, jobName));
        }

        var failed = Assert.Single(provider.Entries, e => Equals(e["JobName"], jobName) && Equals(e["Status"], "FAILED"));
        Assert.Equal("Rill.Runtime.JobMaster.JobMaster", failed.Category);
        Assert.Equal(LogLevel.Information, failed.Level);
        Assert.NotNull(failed.Exception);
        Assert.Contains(boom, Chain(failed.Exception));
        Assert.Contains(boom.Message, failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_logger_taken_before_the_host_set_its_factory_logs_into_it_until_the_host_gives_the_console_back()
    {
        var early = RillLogging.CreateLogger("Rill.Tests.EarlyComponent");
        var provider = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(provider));

        using (RillLogging.Use(factory))
        {
            Assert.Same(factory, RillLogging.LoggerFactory);
            early.LogWarning("Taken early, logged after {Event}.", "the host's start");
        }

        early.LogWarning("Logged after the host's factory was given back.");

        var entry = Assert.Single(provider.Entries, e => e.Category == "Rill.Tests.EarlyComponent");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Taken early, logged after the host's start.", entry.Message);
        Assert.Equal("the host's start", entry["Event"]);
        Assert.NotSame(factory, RillLogging.LoggerFactory);
    }

    [Fact]
    public void A_types_category_is_its_full_name_without_generic_arguments_as_ILogger_of_T_names_it()
    {
        Assert.Equal("Rill.Runtime.JobMaster.JobMaster", RillLogging.CategoryName(typeof(global::Rill.Runtime.JobMaster.JobMaster)));
        Assert.Equal("Rill.Sinks.CollectSink", RillLogging.CategoryName(typeof(CollectSink<int>)));
        Assert.Equal("Rill.Sinks.CollectSink", RillLogging.CategoryName(typeof(CollectSink<>)));
        Assert.Equal(typeof(Outer.Inner).FullName!.Replace('+', '.'), RillLogging.CategoryName(typeof(Outer.Inner)));
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static class Outer
    {
        public sealed class Inner;
    }
}
