using Rill.Checkpointing;
using Rill.Network;
using Xunit;

namespace Rill.Tests.Checkpointing;

/// <summary>When a task with several inputs snapshots, and which inputs wait meanwhile.</summary>
public sealed class CheckpointBarrierHandlerTests
{
    private static CheckpointBarrier Barrier(long id) => new(id, 0, CheckpointKind.Checkpoint, "/tmp");

    [Fact]
    public void ExactlyOnceBlocksAChannelAfterItsBarrierUntilEveryLiveChannelDeliveredIt()
    {
        var notices = new Notices();
        var taken = new List<long>();
        var handler = new CheckpointBarrierHandler(3, CheckpointingMode.ExactlyOnce, b => taken.Add(b.CheckpointId), notices);

        handler.OnBarrier(0, Barrier(1));
        Assert.True(handler.IsBlocked(0));
        Assert.False(handler.IsBlocked(1));
        handler.Defer(0);
        handler.Defer(0);
        handler.OnChannelFinished(2); // a finished input counts as aligned
        Assert.Empty(taken);

        handler.OnBarrier(1, Barrier(1));

        Assert.Equal([1L], taken);
        Assert.False(handler.IsBlocked(0));
        Assert.Equal([0, 0], notices.Channels); // the deferred buffers are announced again, in order
    }

    [Fact]
    public void AtLeastOnceBlocksNothingAndSnapshotsWhenTheLastBarrierArrives()
    {
        var taken = new List<long>();
        var handler = new CheckpointBarrierHandler(2, CheckpointingMode.AtLeastOnce, b => taken.Add(b.CheckpointId), new Notices());

        handler.OnBarrier(1, Barrier(7));
        Assert.False(handler.IsBlocked(1));
        Assert.Empty(taken);
        handler.OnBarrier(0, Barrier(7));

        Assert.Equal([7L], taken);
    }

    [Fact]
    public void ANewerBarrierEndsTheAlignmentOfAnAbortedCheckpointAndOldBarriersAreIgnored()
    {
        var notices = new Notices();
        var taken = new List<long>();
        var handler = new CheckpointBarrierHandler(2, CheckpointingMode.ExactlyOnce, b => taken.Add(b.CheckpointId), notices);

        handler.OnBarrier(0, Barrier(1));
        handler.Defer(0);
        handler.OnBarrier(0, Barrier(2)); // checkpoint 1 was given up; 2 started
        Assert.Equal([0], notices.Channels);
        handler.OnBarrier(1, Barrier(1)); // late barrier of the aborted checkpoint
        Assert.Empty(taken);
        handler.OnBarrier(1, Barrier(2));
        Assert.Equal([2L], taken);

        handler.OnBarrier(0, Barrier(2)); // a duplicate of a completed one starts nothing
        Assert.False(handler.IsBlocked(0));
    }

    [Fact]
    public void AnAbortUnblocksTheInputs()
    {
        var notices = new Notices();
        var handler = new CheckpointBarrierHandler(2, CheckpointingMode.ExactlyOnce, _ => Assert.Fail("no snapshot"), notices);
        handler.OnBarrier(0, Barrier(3));
        handler.Defer(0);

        handler.Abort(3);

        Assert.False(handler.IsBlocked(0));
        Assert.Equal([0], notices.Channels);
    }

    private sealed class Notices : IBufferAvailabilityListener
    {
        public List<int> Channels { get; } = [];

        public void NotifyDataAvailable(int channelIndex) => Channels.Add(channelIndex);
    }
}
