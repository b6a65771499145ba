using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Rill.Tasks;

namespace Rill.Metrics;

/// <summary>
/// Reports every running subtask's <see cref="TaskIOMetrics"/> on the <c>Rill</c> meter, under Flink's names and tags
/// (job_id, job_name, task_name, subtask_index). The task thread only increments plain fields; this reporter reads them
/// once per <see cref="Interval"/> on a timer thread: the counters get the difference since the last read (so nothing is
/// added per record) and the per-second gauges the rate over that interval. A subtask's last difference is added when
/// it ends, so each counter's sum is exactly what the subtask counted.
/// </summary>
internal static class TaskMetricsReporter
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly LiveSources<ReportedTask> Tasks = new();
    private static readonly object TimerLock = new();
    private static Timer? _timer;
    private static int _registered;

    private static readonly Counter<long> RecordsIn = RillTelemetry.Meter.CreateCounter<long>("numRecordsIn", "{record}",
        "Records a subtask read from its network inputs.");

    private static readonly Counter<long> RecordsOut = RillTelemetry.Meter.CreateCounter<long>("numRecordsOut", "{record}",
        "Records a subtask wrote to its network outputs.");

    private static readonly Counter<long> BytesIn = RillTelemetry.Meter.CreateCounter<long>("numBytesIn", "By",
        "Bytes a subtask read from its network inputs.");

    private static readonly Counter<long> BytesOut = RillTelemetry.Meter.CreateCounter<long>("numBytesOut", "By",
        "Bytes a subtask wrote to its network outputs.");

    static TaskMetricsReporter()
    {
        var meter = RillTelemetry.Meter;
        meter.CreateObservableGauge("numRecordsInPerSecond", () => Observe(t => t.RecordsInPerSecond), "{record}/s",
            "Records read per second over the last reporting interval.");
        meter.CreateObservableGauge("numRecordsOutPerSecond", () => Observe(t => t.RecordsOutPerSecond), "{record}/s",
            "Records written per second over the last reporting interval.");
        meter.CreateObservableGauge("busyTimeMsPerSecond", () => Observe(t => t.BusyMsPerSecond), "ms/s",
            "Milliseconds per second the subtask was neither idle nor back-pressured (0 to 1000).");
        meter.CreateObservableGauge("backPressuredTimeMsPerSecond", () => Observe(t => t.BackPressuredMsPerSecond), "ms/s",
            "Milliseconds per second the subtask waited for output buffers (0 to 1000).");
        meter.CreateObservableGauge("idleTimeMsPerSecond", () => Observe(t => t.IdleMsPerSecond), "ms/s",
            "Milliseconds per second the subtask waited for input (0 to 1000).");
        meter.CreateObservableGauge("currentInputWatermark", () => ObserveWatermarks(m => Volatile.Read(ref m.CurrentInputWatermark)), "ms",
            "The last watermark the subtask's network input passed on (epoch milliseconds).");
        meter.CreateObservableGauge("currentOutputWatermark", () => ObserveWatermarks(m => Volatile.Read(ref m.CurrentOutputWatermark)), "ms",
            "The last watermark the subtask sent downstream (epoch milliseconds).");
        meter.CreateObservableGauge("pendingRecords", ObservePendingRecords, "{record}",
            "Records the subtask's source has not fetched yet (Kafka: behind each partition's high watermark).");
    }

    /// <summary>Reports <paramref name="metrics"/> until the returned handle is disposed, which adds the last differences.</summary>
    public static IDisposable Register(TaskIOMetrics metrics, TaskInfo info, string jobName)
    {
        var task = new ReportedTask(metrics,
        [
            new(MetricTags.JobId, info.JobId.ToString("N", CultureInfo.InvariantCulture)),
            new(MetricTags.JobName, jobName),
            new(MetricTags.TaskName, info.TaskName),
            new(MetricTags.SubtaskIndex, info.SubtaskIndex),
        ]);
        var listed = Tasks.Add(task);
        lock (TimerLock)
        {
            if (_registered++ == 0)
            {
                _timer = new Timer(_ => SampleAll(), null, Interval, Interval);
            }
        }

        return new Registration(task, listed);
    }

    private static void SampleAll()
    {
        foreach (var task in Tasks.Snapshot)
        {
            task.Sample(final: false);
        }
    }

    private static IEnumerable<Measurement<double>> Observe(Func<ReportedTask, double> rate)
    {
        foreach (var task in Tasks.Snapshot)
        {
            if (task.HasRates)
            {
                yield return new Measurement<double>(rate(task), task.Tags);
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveWatermarks(Func<TaskIOMetrics, long> watermark)
    {
        foreach (var task in Tasks.Snapshot)
        {
            var value = watermark(task.Metrics);
            if (value != long.MinValue)
            {
                yield return new Measurement<long>(value, task.Tags);
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObservePendingRecords()
    {
        foreach (var task in Tasks.Snapshot)
        {
            if (task.Metrics.PendingRecords is { } gauge && gauge() is var pending and >= 0)
            {
                yield return new Measurement<long>(pending, task.Tags);
            }
        }
    }

    private sealed class Registration(ReportedTask task, IDisposable listed) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            listed.Dispose();
            task.Sample(final: true);
            lock (TimerLock)
            {
                if (--_registered == 0)
                {
                    _timer?.Dispose();
                    _timer = null;
                }
            }
        }
    }

    /// <summary>One subtask's counters as last reported, and its rates over the last interval.</summary>
    private sealed class ReportedTask(TaskIOMetrics metrics, KeyValuePair<string, object?>[] tags)
    {
        private long _recordsIn;
        private long _recordsOut;
        private long _bytesIn;
        private long _bytesOut;
        private long _idleTicks;
        private long _backPressuredTicks;
        private long _sampledAt = Stopwatch.GetTimestamp();
        private bool _closed;
        private readonly object _sampling = new();

        public TaskIOMetrics Metrics { get; } = metrics;

        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public volatile bool HasRates;

        // Written under the lock by the sampler, read by collections: a torn double is impossible on 64-bit, and a rate
        // one interval old is what a gauge shows anyway.
        public double RecordsInPerSecond;
        public double RecordsOutPerSecond;
        public double BusyMsPerSecond;
        public double BackPressuredMsPerSecond;
        public double IdleMsPerSecond;

        public void Sample(bool final)
        {
            lock (_sampling)
            {
                if (_closed)
                {
                    return;
                }

                _closed = final;
                var now = Stopwatch.GetTimestamp();
                var recordsIn = Volatile.Read(ref Metrics.RecordsIn);
                var recordsOut = Volatile.Read(ref Metrics.RecordsOut);
                var bytesIn = Volatile.Read(ref Metrics.BytesIn);
                var bytesOut = Volatile.Read(ref Metrics.BytesOut);
                var idleTicks = Volatile.Read(ref Metrics.IdleTicks);
                var backPressuredTicks = Stopwatch.Frequency * Metrics.BackPressuredTime.Ticks / TimeSpan.TicksPerSecond;
                AddDifference(RecordsIn, recordsIn, ref _recordsIn);
                AddDifference(RecordsOut, recordsOut, ref _recordsOut);
                AddDifference(BytesIn, bytesIn, ref _bytesIn);
                AddDifference(BytesOut, bytesOut, ref _bytesOut);

                var elapsed = now - _sampledAt;
                if (elapsed > 0 && !final)
                {
                    var seconds = (double)elapsed / Stopwatch.Frequency;
                    var idle = Math.Clamp(idleTicks - _idleTicks, 0, elapsed);
                    var backPressured = Math.Clamp(backPressuredTicks - _backPressuredTicks, 0, elapsed - idle);
                    RecordsInPerSecond = (recordsIn - _recordsIn) / seconds;
                    RecordsOutPerSecond = (recordsOut - _recordsOut) / seconds;
                    IdleMsPerSecond = 1000.0 * idle / elapsed;
                    BackPressuredMsPerSecond = 1000.0 * backPressured / elapsed;
                    BusyMsPerSecond = 1000.0 * (elapsed - idle - backPressured) / elapsed;
                    HasRates = true;
                }

                _recordsIn = recordsIn;
                _recordsOut = recordsOut;
                _bytesIn = bytesIn;
                _bytesOut = bytesOut;
                _idleTicks = idleTicks;
                _backPressuredTicks = backPressuredTicks;
                _sampledAt = now;
            }
        }

        private void AddDifference(Counter<long> counter, long current, ref long reported)
        {
            var difference = current - reported;
            if (difference > 0)
            {
                counter.Add(difference, Tags);
            }
        }
    }
}
