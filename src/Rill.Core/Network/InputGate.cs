namespace Rill.Network;

/// <summary>
/// All channels a consumer subtask reads, across every input edge (a union reads several edges through one gate).
/// Channel availability is announced to the task's mailbox, so one thread waits for data and mail together.
/// </summary>
public sealed class InputGate
{
    private readonly IInputChannel[] _channels;
    private readonly bool[] _finished;
    private int _finishedCount;

    public InputGate(IInputChannel[] channels)
    {
        _channels = channels;
        _finished = new bool[channels.Length];
    }

    public int NumberOfChannels => _channels.Length;

    public bool IsFinished => _finishedCount == _channels.Length;

    public void Connect(IBufferAvailabilityListener listener)
    {
        for (var i = 0; i < _channels.Length; i++)
        {
            _channels[i].Attach(listener, i);
        }
    }

    /// <summary>Whether the channel reads from another TaskManager over TCP (its bytes count as data-plane traffic).</summary>
    public bool IsRemote(int channel) => _channels[channel] is Remote.RemoteInputChannel;

    public bool TryPoll(int channel, out NetworkBuffer buffer) => _channels[channel].TryPoll(out buffer);

    public void MarkFinished(int channel)
    {
        if (!_finished[channel])
        {
            _finished[channel] = true;
            _finishedCount++;
        }
    }

}
