using Rill.Api;
using Rill.EventTime;
using Rill.Functions;
using Rill.Sinks;
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
        var env = StreamExecutionEnvironment.GetExecutionEnvironment();
        // STREAMING, although the input is bounded: BATCH advances event time only once, at the end of the
        // input, so no click could ever be late and the late count would mean nothing.
        env.SetRuntimeMode(RuntimeExecutionMode.Streaming);
        // With --rest-port the embedded cluster serves Flink's REST API while the job runs.
        env.RestPort = options.RestPort;
        env.Deployment = options.Deployment;
        if (options.Parallelism is { } parallelism)
        {
            env.SetParallelism(parallelism);
        }

        // Check both ends before starting anything, so a wrong path costs one clear line and no work.
        var clicks = options.Input is null
            ? ClickGenerator.CreateStream(env, Watermarks)
            : env.ReadTextLines(InputFile.RequireExisting(options.Input))
                .Process(new ClickParser(options.SkipMalformed)).Name("Parse Clicks")
                .AssignTimestampsAndWatermarks(Watermarks);
        if (options.Output is not null)
        {
            OutputDirectory.Prepare(options.Output, refuseExistingResults: OutputDirectory.ResultsAreCheckedHere(options.Deployment));
        }

        var counts = clicks
            .KeyBy(click => click.UserId)
            .Window(TumblingEventTimeWindows.Of<Click>(TimeSpan.FromMinutes(1)))
            .SideOutputLateData(LateClicks)
            .Aggregate(new CountAggregate<Click>(), (userId, window, count) => new UserWindowCount(window.Start, window.End, userId, count))
            .Name("Count Clicks per User and Minute");
        ResultOutput.WriteTo(counts, options.Output, count => count.ToCsv());
        counts.GetSideOutput(LateClicks)
            .Process(new RecordCounter<Click>(LateClicksCounter)).Name("Count Late Clicks")
            .SinkTo(new DiscardingSink<Click>(), "Discard Late Clicks");

        var result = await env.ExecuteAsync("ClickCounts");
        return new JobSummary(result.GetAccumulatorResult(ClickParser.MalformedLinesCounter), result.GetAccumulatorResult(LateClicksCounter));
    }
}
