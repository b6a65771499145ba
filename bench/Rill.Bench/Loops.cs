using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rill.Bench;

/// <summary>Hand-written single-threaded ClickCounts: the baselines Rill is measured against.</summary>
public static class Loops
{
    /// <summary>What one writes first: a tuple-keyed dictionary, a read and a write per event (two lookups).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Dictionary<(long WindowStart, int UserId), int> Naive(Click[] events)
    {
        var counts = new Dictionary<(long WindowStart, int UserId), int>();
        foreach (var click in events)
        {
            if (!ClickCounts.IsValid(click))
            {
                continue;
            }

            var e = ClickCounts.ToUserClick(click);
            var key = (ClickCounts.WindowStart(e.Timestamp), e.UserId);
            counts.TryGetValue(key, out var count);
            counts[key] = count + 1;
        }

        return counts;
    }

    /// <summary>
    /// The practical limit of a general keyed count: one lookup per event (GetValueRefOrAddDefault) on a packed
    /// 64-bit key (window index in the high 32 bits, user id in the low 32) whose hash mixes both halves. The
    /// default long hash (hi ^ lo) would collapse window/user pairs onto the same few buckets.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Dictionary<PackedKey, int> Tuned(Click[] events)
    {
        var counts = new Dictionary<PackedKey, int>();
        foreach (ref readonly var click in events.AsSpan())
        {
            if (!ClickCounts.IsValid(click))
            {
                continue;
            }

            var windowIndex = (ClickCounts.WindowStart(click.Timestamp) / ClickCounts.WindowSizeMs);
            var key = new PackedKey((windowIndex << 32) | (uint)click.UserId);
            CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;
        }

        return counts;
    }

    public static IEnumerable<WindowCount> Results(Dictionary<(long WindowStart, int UserId), int> counts) =>
        counts.Select(kv => new WindowCount(kv.Key.WindowStart, kv.Key.UserId, kv.Value));

    public static IEnumerable<WindowCount> Results(Dictionary<PackedKey, int> counts) =>
        counts.Select(kv => new WindowCount(kv.Key.WindowIndex * ClickCounts.WindowSizeMs, kv.Key.UserId, kv.Value));
}

/// <summary>A (window index, user id) pair packed into 64 bits, with a Fibonacci (multiplicative) hash of all 64 bits.</summary>
public readonly struct PackedKey(long value) : IEquatable<PackedKey>
{
    public long Value { get; } = value;

    public long WindowIndex => Value >> 32;

    public int UserId => (int)(uint)Value;

    public bool Equals(PackedKey other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is PackedKey other && Equals(other);

    public override int GetHashCode() => (int)(((ulong)Value * 0x9E3779B97F4A7C15UL) >> 32);
}
