using Rill.Network;

namespace Rill.Checkpointing;

/// <summary>
/// Decides when a task with several input channels has seen barrier n on all of them. Exactly-once aligns: a channel
/// that delivered barrier n is blocked (its buffers wait) until every other live channel has delivered it too, so the
/// snapshot holds exactly the records before the barrier. At-least-once only counts barriers and blocks nothing.
/// A finished channel counts as having delivered every barrier (checkpoints continue after some inputs end).
/// </summary>
internal sealed class CheckpointBarrierHandler
{
    private readonly bool _aligned;
    private readonly Action<CheckpointBarrier> _onAllBarriers;
    private readonly IBufferAvailabilityListener _notifications;
    private readonly bool[] _received;
    private readonly bool[] _finished;
    private readonly int[] _deferred;
    private CheckpointBarrier? _pending;
    private long _lastCompleted = -1;

    public CheckpointBarrierHandler(int channels, CheckpointingMode mode, Action<CheckpointBarrier> onAllBarriers, IBufferAvailabilityListener notifications)
    {
        _aligned = mode == CheckpointingMode.ExactlyOnce;
        _onAllBarriers = onAllBarriers;
        _notifications = notifications;
        _received = new bool[channels];
        _finished = new bool[channels];
        _deferred = new int[channels];
    }

    /// <summary>Time spent aligning, summed: what a checkpoint costs in blocked input.</summary>
    public long AlignmentTicks { get; private set; }

    private long _alignmentStart;

    /// <summary>Whether the channel's next buffer must wait (it belongs after a barrier that others have not delivered yet).</summary>
    public bool IsBlocked(int channel) => _aligned && _pending is not null && _received[channel];

    /// <summary>Remembers a data notice of a blocked channel, re-announced when the alignment ends.</summary>
    public void Defer(int channel) => _deferred[channel]++;

    public void OnBarrier(int channel, CheckpointBarrier barrier)
    {
        if (barrier.CheckpointId <= _lastCompleted || (_pending is { } current && barrier.CheckpointId < current.CheckpointId))
        {
            return; // a barrier of a checkpoint that was already taken or given up
        }

        if (_pending is { } older && barrier.CheckpointId > older.CheckpointId)
        {
            // A newer checkpoint started before the older one aligned here: the older one was aborted.
            Release();
        }

        if (_pending is null)
        {
            _pending = barrier;
            _alignmentStart = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        _received[channel] = true;
        CompleteIfAligned();
    }

    public void OnChannelFinished(int channel)
    {
        _finished[channel] = true;
        CompleteIfAligned();
    }

    /// <summary>The checkpoint was aborted while aligning here: stop waiting for its barriers.</summary>
    public void Abort(long checkpointId)
    {
        // Late barriers of an aborted checkpoint must not start a new alignment.
        _lastCompleted = Math.Max(_lastCompleted, checkpointId);
        if (_pending is { } pending && pending.CheckpointId <= checkpointId)
        {
            Release();
        }
    }

    private void CompleteIfAligned()
    {
        if (_pending is not { } barrier)
        {
            return;
        }

        for (var i = 0; i < _received.Length; i++)
        {
            if (!_received[i] && !_finished[i])
            {
                return;
            }
        }

        _lastCompleted = barrier.CheckpointId;
        AlignmentTicks += System.Diagnostics.Stopwatch.GetTimestamp() - _alignmentStart;
        Release();
        _onAllBarriers(barrier);
    }

    private void Release()
    {
        _pending = null;
        Array.Clear(_received);
        for (var channel = 0; channel < _deferred.Length; channel++)
        {
            for (; _deferred[channel] > 0; _deferred[channel]--)
            {
                _notifications.NotifyDataAvailable(channel);
            }
        }
    }
}
