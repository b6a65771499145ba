namespace Rill.Bench.Kafka;

/// <summary>
/// Folds an output topic's records into the LAST count per (window, user), in the order they were read from each
/// partition (all records of one user are in one partition, keyed by the user id). A contender that emits only final
/// results writes each (window, user) once; one that emits updates (Streamiz without suppression) writes a growing
/// count several times, and its last value is its final one. Complete when every expected (window, user) has its
/// expected count as the last value and nothing else was written.
/// </summary>
public sealed class OutputTally(ExpectedCounts expected)
{
    private readonly Dictionary<WindowKey, long> _last = [];
    private readonly List<string> _malformed = [];
    private int _matching;
    private int _unexpected;

    public long Records { get; private set; }

    public int DistinctKeys => _last.Count;

    public int Matching => _matching;

    /// <summary>Malformed or unexpected records were read: no later record can make the output right.</summary>
    public bool Spoiled => _malformed.Count > 0 || _unexpected > 0;

    public bool Complete => _matching == expected.Counts.Count && _last.Count == expected.Counts.Count && _malformed.Count == 0;

    public void Add(string? key, string? value)
    {
        Records++;
        if (!WindowCountLine.TryParse(key, value, expected.WindowMs, out var window, out var count, out var reason))
        {
            if (_malformed.Count < 5)
            {
                _malformed.Add(reason);
            }

            return;
        }

        var expectedCount = expected.Counts.TryGetValue(window, out var e) ? e : (long?)null;
        if (expectedCount is null && !_last.ContainsKey(window))
        {
            _unexpected++;
        }

        if (_last.TryGetValue(window, out var previous) && previous == expectedCount)
        {
            _matching--;
        }

        _last[window] = count;
        if (count == expectedCount)
        {
            _matching++;
        }
    }

    /// <summary>What differs from the expected result, for the WRONG line; empty when <see cref="Complete"/>.</summary>
    public string Differences()
    {
        if (Complete)
        {
            return "";
        }

        var missing = expected.Counts.Keys.Where(k => !_last.ContainsKey(k)).ToList();
        var unexpected = _last.Keys.Where(k => !expected.Counts.ContainsKey(k)).ToList();
        var wrong = _last.Where(kv => expected.Counts.TryGetValue(kv.Key, out var e) && e != kv.Value).ToList();
        var parts = new List<string>
        {
            $"{Records} records, {DistinctKeys} distinct (window, user) of {expected.Counts.Count} expected, {Matching} with the expected last count",
        };
        if (_malformed.Count > 0)
        {
            parts.Add("malformed: " + string.Join("; ", _malformed));
        }

        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing, e.g. {string.Join(" ", missing.Take(3))}");
        }

        if (unexpected.Count > 0)
        {
            parts.Add($"{unexpected.Count} unexpected, e.g. {string.Join(" ", unexpected.Take(3))}");
        }

        if (wrong.Count > 0)
        {
            parts.Add($"{wrong.Count} with a wrong last count, e.g. {string.Join(" ", wrong.Take(3).Select(kv => $"{kv.Key}: {kv.Value} instead of {expected.Counts[kv.Key]}"))}");
        }

        return string.Join("; ", parts);
    }
}
