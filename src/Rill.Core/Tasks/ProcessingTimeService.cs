using Microsoft.Extensions.Logging;
using Rill.Logging;

namespace Rill.Tasks;

/// <summary>Wall-clock time for processing-time semantics; timer callbacks must only hand work to a task's mailbox.</summary>
public interface IProcessingTimeService
{
    /// <summary>Milliseconds since the Unix epoch.</summary>
    long CurrentTime { get; }

    /// <summary>Calls back, with <paramref name="time"/>, once the clock has reached it.</summary>
    IDisposable RegisterTimer(long time, Action<long> callback);
}

/// <summary>
/// Processing time from the system clock, with timers on one dedicated thread: timers must not wait for the shared
/// thread pool, which a busy or blocking host can starve for seconds.
/// </summary>
public sealed class SystemProcessingTimeService : IProcessingTimeService
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<SystemProcessingTimeService>();
    public static readonly SystemProcessingTimeService Instance = new();

    private readonly PriorityQueue<ScheduledTimer, long> _queue = new();
    private readonly Lock _lock = new();
    private readonly AutoResetEvent _changed = new(false);

    private SystemProcessingTimeService()
    {
        new Thread(RunTimers) { IsBackground = true, Name = "Rill processing-time timers" }.Start();
    }

    public long CurrentTime => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public IDisposable RegisterTimer(long time, Action<long> callback)
    {
        var timer = new ScheduledTimer(time, callback);
        lock (_lock)
        {
            _queue.Enqueue(timer, time);
        }

        _changed.Set();
        return timer;
    }

    private void RunTimers()
    {
        while (true)
        {
            ScheduledTimer? due = null;
            var wait = Timeout.Infinite;
            lock (_lock)
            {
                while (_queue.TryPeek(out var next, out var dueAt))
                {
                    if (next.Cancelled)
                    {
                        _queue.Dequeue();
                        continue;
                    }

                    var now = CurrentTime;
                    if (dueAt <= now)
                    {
                        due = _queue.Dequeue();
                    }
                    else
                    {
                        wait = (int)Math.Min(dueAt - now, int.MaxValue);
                    }

                    break;
                }
            }

            if (due is not null)
            {
                // Callbacks only post mail; an exception here would be a bug in the poster, so it must not kill timers.
                try
                {
                    due.Fire();
                }
                catch (Exception e)
                {
                    Logger.LogError(e, "Processing-time timer callback failed.");
                }

                continue;
            }

            _changed.WaitOne(wait);
        }
    }

    private sealed class ScheduledTimer(long time, Action<long> callback) : IDisposable
    {
        // Cleared on dispose: a cancelled timer stays queued until its time, and must not keep an ended job's
        // operators and state reachable until then.
        private Action<long>? _callback = callback;

        public bool Cancelled => Volatile.Read(ref _callback) is null;

        public void Fire() => Volatile.Read(ref _callback)?.Invoke(time);

        public void Dispose() => Volatile.Write(ref _callback, null);
    }
}
