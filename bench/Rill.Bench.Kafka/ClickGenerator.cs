namespace Rill.Bench.Kafka;

/// <summary>
/// Deterministic events (SplitMix64): timestamps rise evenly over the span with at most ±<see cref="MaxJitterMs"/>
/// of jitter, user ids and products uniform. The same seed gives the same input on every machine.
/// </summary>
public static class ClickGenerator
{
    public const long MaxJitterMs = 2_000;

    /// <summary>A minute boundary (2023-11-14T22:13:00Z), as in bench/Rill.Bench.</summary>
    public const long BaseTimestamp = 1_699_999_980_000;

    public const int Products = 1_000;

    public static Click[] Generate(int count, int users, TimeSpan span, ulong seed)
    {
        var clicks = new Click[count];
        var random = new SplitMix64(seed);
        var spanMs = (long)span.TotalMilliseconds;
        for (var i = 0; i < count; i++)
        {
            var baseTime = BaseTimestamp + (spanMs * i / count);
            var jitter = (long)(random.Next() % (ulong)((2 * MaxJitterMs) + 1)) - MaxJitterMs;
            var userId = (int)(random.Next() % (ulong)users);
            var productId = (int)(random.Next() % Products);
            clicks[i] = new Click(baseTime + jitter, userId, productId);
        }

        return clicks;
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
