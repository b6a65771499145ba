using System.Collections.Concurrent;
using System.Diagnostics;
using Rill.Network;

namespace Rill.Tasks;

/// <summary>
/// The single queue a task thread waits on: "channel N has data" notices and mail (timers, coordinator events,
/// flushes) from other threads. Everything that touches operator state runs on the task thread, so operators
/// need no locks (Flink's mailbox model).
/// </summary>
public sealed class TaskMailbox : IBufferAvailabilityListener
{
    private readonly ConcurrentQueue<int> _dataAvailable = new();
    private readonly ConcurrentQueue<Action> _mail = new();
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 20);
    private int _wakeRequested;

    public void NotifyDataAvailable(int channelIndex)
    {
        _dataAvailable.Enqueue(channelIndex);
        _signal.Set();
    }

    public void Post(Action mail)
    {
        _mail.Enqueue(mail);
        _signal.Set();
    }

    /// <summary>Ends the current (or next) wait without queueing anything: e.g. a source has data again.</summary>
    public void Wake()
    {
        Volatile.Write(ref _wakeRequested, 1);
        _signal.Set();
    }

    public bool TryTakeMail(out Action mail) => _mail.TryDequeue(out mail!);

    public bool TryTakeData(out int channel) => _dataAvailable.TryDequeue(out channel);

    /// <summary>Blocks until data or mail arrives, the timeout passes, or the task is cancelled; returns the ticks spent idle.</summary>
    public long WaitForWork(TimeSpan timeout, CancellationToken cancellation)
    {
        _signal.Reset();
        // A Wake() that came before the Reset left only the flag behind: honour it instead of sleeping.
        if (Interlocked.Exchange(ref _wakeRequested, 0) == 1 || !_dataAvailable.IsEmpty || !_mail.IsEmpty)
        {
            return 0;
        }

        var start = Stopwatch.GetTimestamp();
        _signal.Wait(timeout, cancellation);
        return Stopwatch.GetTimestamp() - start;
    }
}
