using System.Globalization;

namespace Rill.Samples.Tests;

internal sealed record ClickEvent(long TimestampMillis, int UserId, string Url)
{
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{TimestampMillis},{UserId},{Url}");
}

/// <summary>Generated click logs for ClickCounts and the windows the spec says it must produce, computed without Rill.</summary>
internal static class ClickInput
{
    public const long WindowMillis = 60_000;
    public const long OutOfOrdernessMillis = 5_000;

    private const long StartMillis = 1_700_000_000_000; // 20 s into a minute: the first window is partial

    private static readonly int[] Users = [1, 2, 3, 5, 8, 13, 21, -4];

    // The url is everything after the second comma, so commas and spaces in it are fine.
    private static readonly string[] Urls = ["/", "/products/42", "/search?q=a,b,c", "https://example.com/x, y", "/söme/päth", ""];

    /// <summary>
    /// <paramref name="count"/> clicks over about 6 minutes, several windows per user, each click up to exactly
    /// 5 s behind the latest click before it: out of order, but never so much that it can be late.
    /// </summary>
    public static List<ClickEvent> WithinOutOfOrderness(int count, int seed)
    {
        var random = new Random(seed);
        var clicks = new List<ClickEvent>(count);
        var time = StartMillis;
        for (var i = 0; i < count; i++)
        {
            time += random.Next(0, 180);
            var timestamp = time - random.Next(0, (int)OutOfOrdernessMillis + 1);
            clicks.Add(new ClickEvent(timestamp, Users[random.Next(Users.Length)], Urls[random.Next(Urls.Length)]));
        }

        // Several windows per user, so window boundaries and keys are both exercised.
        Assert.True(clicks.Select(click => WindowStart(click.TimestampMillis)).Distinct().Count() >= 5);
        // "time" never decreases, so no click is more than 5 s behind any click before it.
        Assert.All(MaxTimestampBefore(clicks).Zip(clicks), pair => Assert.True(pair.First <= pair.Second.TimestampMillis + OutOfOrdernessMillis));
        return clicks;
    }

    /// <summary>The latest timestamp among the clicks before each click (long.MinValue for the first).</summary>
    public static IReadOnlyList<long> MaxTimestampBefore(IReadOnlyList<ClickEvent> clicks)
    {
        var result = new long[clicks.Count];
        var max = long.MinValue;
        for (var i = 0; i < clicks.Count; i++)
        {
            result[i] = max;
            max = Math.Max(max, clicks[i].TimestampMillis);
        }

        return result;
    }

    public static long WindowStart(long timestamp) => timestamp - (((timestamp % WindowMillis) + WindowMillis) % WindowMillis);

    /// <summary>Clicks per (window start, user): the spec's tumbling one-minute windows keyed by user.</summary>
    public static Dictionary<(long Start, int UserId), long> CountPerWindowAndUser(IEnumerable<ClickEvent> clicks) =>
        clicks.GroupBy(click => (WindowStart(click.TimestampMillis), click.UserId)).ToDictionary(group => group.Key, group => (long)group.Count());

    /// <summary>"windowStartMillis,windowEndMillis,userId,count" lines, sorted.</summary>
    public static IReadOnlyList<string> ExpectedLines(IEnumerable<ClickEvent> clicks) =>
        CountPerWindowAndUser(clicks)
            .Select(entry => string.Create(CultureInfo.InvariantCulture, $"{entry.Key.Start},{entry.Key.Start + WindowMillis},{entry.Key.UserId},{entry.Value}"))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Parses output lines back, checking the window bounds on the way.</summary>
    public static Dictionary<(long Start, int UserId), long> ParseOutput(IEnumerable<string> lines)
    {
        var counts = new Dictionary<(long Start, int UserId), long>();
        foreach (var line in lines)
        {
            var fields = line.Split(',');
            Assert.True(fields.Length == 4, $"Not 'start,end,user,count': {line}");
            var (start, end, user, count) = (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture),
                int.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture));
            Assert.Equal(WindowStart(start), start);
            Assert.Equal(start + WindowMillis, end);
            Assert.True(count > 0, $"Empty window in the output: {line}");
            Assert.True(counts.TryAdd((start, user), count), $"Window and user twice in the output: {line}");
        }

        return counts;
    }
}
