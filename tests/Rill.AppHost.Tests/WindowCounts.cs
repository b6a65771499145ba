using System.Globalization;

namespace Rill.AppHost.Tests;

/// <summary>
/// Window counts two ways: as the job wrote them (<c>windowStart,windowEnd,userId,count</c> records) and as the clicks
/// (<c>timestampMillis,userId,url</c> records) say they must be, for tumbling event-time windows of one size.
/// </summary>
internal sealed class WindowCounts(long windowMs)
{
    private readonly Dictionary<(long Start, int User), long> _reported = [];
    private readonly Dictionary<(long Start, int User), long> _clicks = [];

    public IEnumerable<long> ReportedWindows => _reported.Keys.Select(k => k.Start).Distinct().Order();

    /// <summary>A result record; the same window reported again (at-least-once delivery after a rescale) must carry the same count.</summary>
    public void AddReported(string record)
    {
        var fields = record.Split(',');
        Assert.True(fields.Length == 4, $"A result record is not windowStart,windowEnd,userId,count: '{record}'.");
        var start = long.Parse(fields[0], CultureInfo.InvariantCulture);
        var end = long.Parse(fields[1], CultureInfo.InvariantCulture);
        var user = int.Parse(fields[2], CultureInfo.InvariantCulture);
        var count = long.Parse(fields[3], CultureInfo.InvariantCulture);
        Assert.True(end - start == windowMs && start % windowMs == 0, $"'{record}' is not an epoch-aligned {windowMs} ms window.");
        Assert.True(count > 0, $"'{record}' reports a window without clicks.");
        if (_reported.TryGetValue((start, user), out var earlier))
        {
            Assert.True(earlier == count, $"Window {start} of user {user} was reported with {earlier} and with {count} clicks.");
        }

        _reported[(start, user)] = count;
    }

    public void AddClick(string record)
    {
        var fields = record.Split(',', 3);
        Assert.True(fields.Length == 3, $"A click is not timestampMillis,userId,url: '{record}'.");
        var timestamp = long.Parse(fields[0], CultureInfo.InvariantCulture);
        var user = int.Parse(fields[1], CultureInfo.InvariantCulture);
        var key = (timestamp - (((timestamp % windowMs) + windowMs) % windowMs), user);
        _clicks[key] = _clicks.GetValueOrDefault(key) + 1;
    }

    /// <summary>Reported counts that differ from the clicks' counts (the clicks were read after the results, so they are complete).</summary>
    public IReadOnlyList<string> WrongCounts() => _reported
        .Where(e => _clicks.GetValueOrDefault(e.Key) != e.Value)
        .Select(e => $"window {e.Key.Start} user {e.Key.User}: reported {e.Value}, clicks {_clicks.GetValueOrDefault(e.Key)}")
        .ToList();

    /// <summary>
    /// The windows from <paramref name="from"/> through <paramref name="through"/> (their starts) whose reported counts
    /// do not (yet) equal the clicks' counts, user by user; a window nobody clicked in needs no report.
    /// </summary>
    public IReadOnlyList<long> WindowsNotMatching(long from, long through)
    {
        var notMatching = new List<long>();
        for (var start = from; start <= through; start += windowMs)
        {
            var reported = _reported.Where(e => e.Key.Start == start).ToDictionary(e => e.Key.User, e => e.Value);
            var expected = _clicks.Where(e => e.Key.Start == start).ToDictionary(e => e.Key.User, e => e.Value);
            if (reported.Count != expected.Count || reported.Any(e => expected.GetValueOrDefault(e.Key) != e.Value))
            {
                notMatching.Add(start);
            }
        }

        return notMatching;
    }

    /// <summary>The start of the window that holds <paramref name="timestamp"/>.</summary>
    public long WindowOf(long timestamp) => timestamp - (((timestamp % windowMs) + windowMs) % windowMs);

    /// <summary>The first window anyone clicked in, once a click was read.</summary>
    public long? FirstClickedWindow => _clicks.Count == 0 ? null : _clicks.Keys.Min(k => k.Start);

    public long ClicksOf(long windowStart, int user) => _clicks.GetValueOrDefault((windowStart, user));

    public IEnumerable<int> UsersWhoClickedIn(long windowStart) => _clicks.Keys.Where(k => k.Start == windowStart).Select(k => k.User);

    public string Describe() => $"{_reported.Count} results in windows [{string.Join(", ", ReportedWindows)}], {_clicks.Values.Sum()} clicks";
}
