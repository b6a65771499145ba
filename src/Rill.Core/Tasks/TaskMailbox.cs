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

    public void Wake() => _signal.Set();

    public bool TryTakeMail(out Action mail) => _mail.TryDequeue(out mail!);

    public bool TryTakeData(out int channel) => _dataAvailable.TryDequeue(out channel);

    public bool HasMail => !_mail.IsEmpty;

    /// <summary>Blocks until data or mail arrives, the timeout passes, or the task is cancelled; returns the ticks spent idle.</summary>
    public long WaitForWork(TimeSpan timeout, CancellationToken cancellation)
    {
        _signal.Reset();
        if (!_dataAvailable.IsEmpty || !_mail.IsEmpty)
        {
            return 0;
        }

        var start = Stopwatch.GetTimestamp();
        _signal.Wait(timeout, cancellation);
        return Stopwatch.GetTimestamp() - start;
    }
}
