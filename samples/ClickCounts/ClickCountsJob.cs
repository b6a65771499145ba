using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
using Rill.Sources;
using Rill.Windowing;

namespace Rill.Samples.ClickCounts;

/// <summary>The dataflow: clicks → event time → one-minute windows per user → counts; late clicks → a counter.</summary>
internal static class ClickCountsJob
{
    private const string LateClicksCounter = "late-clicks";

    private static readonly OutputTag<Click> LateClicks = new("late-clicks");

    /// <summary>Event time is the click's timestamp; clicks may arrive up to 5 s out of order and still count.</summary>
    private static readonly WatermarkStrategy<Click> Watermarks =
        WatermarkStrategy<Click>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(5)).WithTimestampAssigner(click => click.TimestampMillis);

    public static async Task<JobSummary> RunAsync(ClickCountsOptions options)
    {
        // STREAMING, although the input is bounded: BATCH advances event time only once, at the end of the input, so no
        // click could ever be late and the late count would mean nothing. With checkpoints the output directory gets
        // committed part files while the job runs, each count exactly once even when the job fails and restores.
        var env = JobEnvironment.CreateStreaming(options.RestPort, options.Deployment, options.Parallelism, options.CheckpointingMs, options.CheckpointDirectory);

        // Check both ends before starting anything, so a wrong path costs one clear line and no work.
        DataStream<Click> clicks;
        if (options.Input is null)
        {
            clicks = ClickGenerator.CreateStream(env, Watermarks);
        }
        else
        {
            var lines = env.ReadTextLines(InputFile.RequireExisting(options.Input), options.Follow).Uid("click-lines");
            if (options.LinesPerSecond is { } rate)
            {
                // Slows a short input down enough to watch the job, take savepoints or kill a TaskManager while it runs.
                lines = lines.Map(new Throttle<TextLine>(rate)).Name("Throttle").Uid("throttle");
            }

            clicks = lines.Process(new ClickParser(options.SkipMalformed)).Name("Parse Clicks").Uid("parse-clicks")
                .AssignTimestampsAndWatermarks(Watermarks);
        }

        if (options.Output is not null)
        {
            // A job resumed from a savepoint continues the results it committed before.
            OutputDirectory.Prepare(options.Output,
                refuseExistingResults: OutputDirectory.ResultsAreCheckedHere(options.Deployment) && options.Deployment.FromSavepoint is null);
        }

        var counts = clicks
            .KeyBy(click => click.UserId)
            .Window(TumblingEventTimeWindows.Of<Click>(TimeSpan.FromMinutes(1)))
            .SideOutputLateData(LateClicks)
            .Aggregate(new CountAggregate<Click>(), (userId, window, count) => new UserWindowCount(window.Start, window.End, userId, count))
            .Name("Count Clicks per User and Minute").Uid("count-clicks");
        ResultOutput.WriteTo(counts, options.Output, count => count.ToCsv());
        counts.GetSideOutput(LateClicks)
            .Process(new RecordCounter<Click>(LateClicksCounter)).Name("Count Late Clicks")
            .SinkTo(new DiscardingSink<Click>(), "Discard Late Clicks");

        var result = await env.ExecuteAsync("ClickCounts");
        return new JobSummary(result.GetAccumulatorResult(ClickParser.MalformedLinesCounter), result.GetAccumulatorResult(LateClicksCounter));
    }
}
