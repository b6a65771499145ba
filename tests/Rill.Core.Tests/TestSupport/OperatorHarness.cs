using Rill.Accumulators;
using Rill.Api;
using Rill.EventTime;
using Rill.Metrics;
using Rill.Operators;
using Rill.Tasks;

namespace Rill.Tests.TestSupport;

/// <summary>
/// Runs one operator outside a task (Flink's OneInputStreamOperatorTestHarness): a manual processing-time clock,
/// a mailbox drained on demand, and an output that records everything the operator emits.
/// </summary>
internal sealed class OperatorHarness<TIn, TOut>
{
    private readonly Queue<Action> _mailbox = new();

    public OperatorHarness(OneInputStreamOperator<TIn, TOut> op, long startTime = 0, int maxParallelism = 128,
        RuntimeExecutionMode mode = RuntimeExecutionMode.Streaming)
    {
        Operator = op;
        Clock = new ManualProcessingTimeService(startTime);
        var task = new TaskInfo("Harness", 0, 1, maxParallelism, 0);
        var context = new OperatorContext(task, "Harness Operator", "harness", mode, Clock, Accumulators, new TaskIOMetrics(), _mailbox.Enqueue,
            new ExecutionOptions { RuntimeMode = mode });
        op.Setup(context, Output);
        op.Open();
    }

    public OneInputStreamOperator<TIn, TOut> Operator { get; }

    public ManualProcessingTimeService Clock { get; }

    public AccumulatorRegistry Accumulators { get; } = new();

    public RecordingOutput<TOut> Output { get; } = new();

    public void Process(TIn value, long timestamp = StreamRecords.NoTimestamp) => Operator.ProcessElement(value, timestamp);

    public void Watermark(long watermark) => Operator.ProcessWatermark(new Watermark(watermark));

    /// <summary>Moves the clock, lets due timers post their mail, and runs the mail as the task thread would.</summary>
    public void SetProcessingTime(long time)
    {
        Clock.AdvanceTo(time);
        DrainMailbox();
    }

    public void DrainMailbox()
    {
        while (_mailbox.TryDequeue(out var mail))
        {
            mail();
            Clock.FireDue(); // mail may register timers that are already due
        }
    }

    public void EndInput()
    {
        Operator.ProcessWatermark(Rill.EventTime.Watermark.MaxWatermark);
        Operator.Finish();
        Operator.Close();
    }
}

/// <summary>
/// A processing-time clock under test control. Like the system service, a timer's callback runs once the clock has
/// reached the requested time, with that time as its argument.
/// </summary>
internal sealed class ManualProcessingTimeService(long start) : IProcessingTimeService
{
    private readonly List<Registration> _timers = [];

    public long CurrentTime { get; private set; } = start;

    public IDisposable RegisterTimer(long time, Action<long> callback)
    {
        var registration = new Registration(time, callback);
        _timers.Add(registration);
        return registration;
    }

    public void AdvanceTo(long time)
    {
        if (time < CurrentTime)
        {
            throw new InvalidOperationException("Time does not go backwards.");
        }

        CurrentTime = time;
        FireDue();
    }

    public void FireDue()
    {
        foreach (var due in _timers.Where(t => t.Time <= CurrentTime && !t.Cancelled).OrderBy(t => t.Time).ToList())
        {
            _timers.Remove(due);
            due.Callback(due.Time);
        }

        _timers.RemoveAll(t => t.Cancelled);
    }

    public int PendingTimers => _timers.Count(t => !t.Cancelled);

    private sealed class Registration(long time, Action<long> callback) : IDisposable
    {
        public long Time { get; } = time;

        public Action<long> Callback { get; } = callback;

        public bool Cancelled { get; private set; }

        public void Dispose() => Cancelled = true;
    }
}

internal sealed class RecordingOutput<T> : IOutput<T>
{
    public List<(T Value, long Timestamp)> Records { get; } = [];

    public List<(string Tag, object? Value, long Timestamp)> SideOutputs { get; } = [];

    public List<long> Watermarks { get; } = [];

    public List<T> Values => Records.Select(r => r.Value).ToList();

    public void Collect(T value, long timestamp) => Records.Add((value, timestamp));

    public void CollectSide<TSide>(OutputTag<TSide> tag, TSide value, long timestamp) => SideOutputs.Add((tag.Id, value, timestamp));

    public void EmitWatermark(Watermark watermark) => Watermarks.Add(watermark.Timestamp);

    public void EmitWatermarkStatus(bool idle)
    {
    }
}
