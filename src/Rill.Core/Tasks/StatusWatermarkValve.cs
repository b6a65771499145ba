namespace Rill.Tasks;

/// <summary>
/// Combines the watermarks of all input channels as Flink does: the output watermark is the minimum over
/// active channels that have caught up with it, and it only moves forward. An idle channel does not hold the
/// watermark back; when every channel is idle the output is marked idle.
/// </summary>
public sealed class StatusWatermarkValve
{
    private readonly long[] _watermarks;
    private readonly bool[] _active;
    private readonly bool[] _aligned;
    private long _lastOutput = long.MinValue;
    private bool _outputIdle;

    public StatusWatermarkValve(int numberOfChannels)
    {
        _watermarks = new long[numberOfChannels];
        _active = new bool[numberOfChannels];
        _aligned = new bool[numberOfChannels];
        Array.Fill(_watermarks, long.MinValue);
        Array.Fill(_active, true);
        Array.Fill(_aligned, true);
    }

    public long CurrentWatermark => _lastOutput;

    /// <summary>Returns the new combined watermark when it advanced, else null.</summary>
    public long? InputWatermark(long watermark, int channel)
    {
        if (!_active[channel] || watermark <= _watermarks[channel])
        {
            return null;
        }

        _watermarks[channel] = watermark;
        if (!_aligned[channel] && watermark >= _lastOutput)
        {
            _aligned[channel] = true;
        }

        return FindAndOutputNewMinWatermark();
    }

    /// <summary>Returns (new watermark or null, new output idleness or null).</summary>
    public (long? Watermark, bool? Idle) InputWatermarkStatus(bool idle, int channel)
    {
        if (idle && _active[channel])
        {
            _active[channel] = false;
            _aligned[channel] = false;
            var heldTheWatermark = _watermarks[channel] == _lastOutput;
            if (!_active.Contains(true))
            {
                // Flink: when the last channel goes idle and it was the one holding the watermark back, the
                // maximum over all channels may be emitted, since nothing active can lower it any more.
                long? advanced = null;
                var max = _watermarks.Max();
                if (heldTheWatermark && max > _lastOutput)
                {
                    _lastOutput = max;
                    advanced = max;
                }

                _outputIdle = true;
                return (advanced, true);
            }

            return (heldTheWatermark ? FindAndOutputNewMinWatermark() : null, null);
        }

        if (!idle && !_active[channel])
        {
            _active[channel] = true;
            if (_watermarks[channel] >= _lastOutput)
            {
                _aligned[channel] = true;
            }

            if (_outputIdle)
            {
                _outputIdle = false;
                return (null, false);
            }
        }

        return (null, null);
    }

    /// <summary>A finished channel no longer holds the watermark back.</summary>
    public long? ChannelFinished(int channel)
    {
        _watermarks[channel] = long.MaxValue;
        _aligned[channel] = true;
        _active[channel] = true;
        return FindAndOutputNewMinWatermark();
    }

    private long? FindAndOutputNewMinWatermark()
    {
        var min = long.MaxValue;
        var any = false;
        for (var i = 0; i < _watermarks.Length; i++)
        {
            if (_aligned[i] && _active[i])
            {
                any = true;
                min = Math.Min(min, _watermarks[i]);
            }
        }

        if (any && min > _lastOutput)
        {
            _lastOutput = min;
            return min;
        }

        return null;
    }
}
