namespace Rill.Operators;

/// <summary>
/// Timers of one time domain, grouped by timestamp: one set of (key, namespace) per distinct time. Many keys share
/// a time (every key's timer for a window ends at the window's last millisecond), so this keeps one small queue of
/// distinct times, and the per-time sets are reused once fired: after warm-up, registering timers allocates nothing.
/// </summary>
internal sealed class TimerQueue<TKey, TNamespace>
    where TKey : notnull
    where TNamespace : notnull
{
    private readonly Dictionary<long, HashSet<(TKey Key, TNamespace Ns)>> _byTime = [];
    private readonly PriorityQueue<long, long> _times = new();
    private readonly Stack<HashSet<(TKey Key, TNamespace Ns)>> _pool = new();
    private readonly HashSet<(TKey Key, TNamespace Ns)> _deletedWhileFiring = [];
    private HashSet<(TKey Key, TNamespace Ns)>? _firing;
    private long _firingTime;
    private int _largestSet;

    public int Count { get; private set; }

    /// <summary>False when the same timer was already registered.</summary>
    public bool Add(long time, TKey key, TNamespace ns)
    {
        if (_firing is not null && time == _firingTime && _firing.Contains((key, ns)) && !_deletedWhileFiring.Remove((key, ns)))
        {
            return false; // firing right now
        }

        if (!_byTime.TryGetValue(time, out var set))
        {
            // Times tend to gather the same number of timers (one per key for each window end), so a new set starts
            // at the largest size seen so far instead of growing through every smaller capacity.
            set = _pool.TryPop(out var reused) ? reused : new HashSet<(TKey Key, TNamespace Ns)>(_largestSet);
            _byTime[time] = set;
            _times.Enqueue(time, time);
        }

        if (!set.Add((key, ns)))
        {
            return false;
        }

        Count++;
        _largestSet = Math.Max(_largestSet, set.Count);
        return true;
    }

    public void Remove(long time, TKey key, TNamespace ns)
    {
        if (_firing is not null && time == _firingTime && _firing.Contains((key, ns)))
        {
            _deletedWhileFiring.Add((key, ns));
        }

        if (_byTime.TryGetValue(time, out var set) && set.Remove((key, ns)))
        {
            Count--;
            if (set.Count == 0)
            {
                _byTime.Remove(time);
                _pool.Push(set);
            }
        }
    }

    /// <summary>
    /// Fires, in time order, every timer at or before <paramref name="upTo"/>, including timers that firing adds
    /// at or before it. Timers deleted while their time fires do not fire.
    /// </summary>
    public void FireUpTo(long upTo, Action<TKey, TNamespace, long> fire)
    {
        while (TryPeekTime(out var time) && time <= upTo)
        {
            _times.Dequeue();
            _byTime.Remove(time, out var set);
            FireSet(time, set!, fire);
        }
    }

    /// <summary>
    /// Fires every timer registered so far, once, in time order; timers that firing registers are not fired (the
    /// input has ended: a timer that re-registers itself must not keep a bounded job alive).
    /// </summary>
    public void FirePending(Action<TKey, TNamespace, long> fire)
    {
        foreach (var time in _byTime.Keys.Order().ToList())
        {
            if (_byTime.Remove(time, out var set))
            {
                FireSet(time, set, fire);
            }
        }
    }

    /// <summary>Fires one time's timers; the set was already taken out of the queue, so firing can register new timers.</summary>
    private void FireSet(long time, HashSet<(TKey Key, TNamespace Ns)> set, Action<TKey, TNamespace, long> fire)
    {
        _firing = set;
        _firingTime = time;
        try
        {
            foreach (var (key, ns) in set)
            {
                Count--;
                if (_deletedWhileFiring.Count > 0 && _deletedWhileFiring.Remove((key, ns)))
                {
                    continue;
                }

                fire(key, ns, time);
            }
        }
        finally
        {
            _firing = null;
            _deletedWhileFiring.Clear();
            set.Clear();
            _pool.Push(set);
        }
    }

    /// <summary>Every registered timer (a snapshot writes them), in no particular order.</summary>
    public IEnumerable<(long Time, TKey Key, TNamespace Ns)> Entries() =>
        _byTime.SelectMany(t => t.Value.Select(e => (t.Key, e.Key, e.Ns)));

    public bool TryPeekTime(out long time)
    {
        while (_times.TryPeek(out time, out _))
        {
            if (_byTime.ContainsKey(time))
            {
                return true;
            }

            _times.Dequeue(); // every timer of that time was deleted, or it is a duplicate entry
        }

        return false;
    }
}
