namespace Rill.Bench;

/// <summary>The input event: a value type without references, so Rill's blittable serializer applies.</summary>
public readonly record struct Click(long Timestamp, int UserId, int UrlId);

/// <summary>What the pipeline keeps of a click after its Map step (a smaller struct, still blittable).</summary>
public readonly record struct UserClick(long Timestamp, int UserId);

/// <summary>The result: the number of clicks of one user in one tumbling window.</summary>
public readonly record struct WindowCount(long WindowStart, int UserId, long Count);

/// <summary>ClickCounts semantics shared by every contender.</summary>
public static class ClickCounts
{
    public const long WindowSizeMs = 60_000;
    public const long MaxOutOfOrdernessMs = 5_000;

    /// <summary>floor(ts / size) * size, also for negative timestamps (as Rill's TimeWindow.GetWindowStartWithOffset).</summary>
    public static long WindowStart(long timestamp)
    {
        var remainder = timestamp % WindowSizeMs;
        return remainder < 0 ? timestamp - (remainder + WindowSizeMs) : timestamp - remainder;
    }

    /// <summary>The Filter step of every contender: drops invalid clicks (the generator makes none, so every click counts).</summary>
    public static bool IsValid(Click click) => click.UserId >= 0 && click.UrlId >= 0;

    /// <summary>The Map step of every contender.</summary>
    public static UserClick ToUserClick(Click click) => new(click.Timestamp, click.UserId);
}

/// <summary>
/// Deterministic events: timestamps rise evenly over the span with a jitter of at most ±<see cref="MaxJitterMs"/>,
/// so the disorder between any two events is below the 5 s out-of-orderness bound and no event is ever late.
/// </summary>
public static class EventGenerator
{
    public const long MaxJitterMs = 2_000;

    /// <summary>A minute boundary (2023-11-14T22:13:00Z), so the span covers whole windows.</summary>
    public const long BaseTimestamp = 1_699_999_980_000;

    public static Click[] Generate(int count, int users, TimeSpan span, ulong seed)
    {
        var events = new Click[count];
        var rng = new SplitMix64(seed);
        var spanMs = (long)span.TotalMilliseconds;
        for (var i = 0; i < count; i++)
        {
            var baseTime = BaseTimestamp + (spanMs * i / count);
            var jitter = (long)(rng.Next() % (ulong)((2 * MaxJitterMs) + 1)) - MaxJitterMs;
            var userId = (int)(rng.Next() % (ulong)users);
            var urlId = (int)(rng.Next() % 10_000UL);
            events[i] = new Click(baseTime + jitter, userId, urlId);
        }

        return events;
    }

    /// <summary>Checks the claim the whole bench rests on: no event is at or behind a watermark a bounded-out-of-orderness generator could have emitted before it.</summary>
    public static void AssertNothingLate(Click[] events)
    {
        var max = long.MinValue;
        foreach (var e in events)
        {
            if (max != long.MinValue && e.Timestamp <= max - ClickCounts.MaxOutOfOrdernessMs - 1)
            {
                throw new InvalidOperationException($"Generated event {e} would be late (max timestamp so far {max}).");
            }

            max = Math.Max(max, e.Timestamp);
        }
    }

    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            unchecked
            {
                var z = _state += 0x9E3779B97F4A7C15UL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
    }
}
