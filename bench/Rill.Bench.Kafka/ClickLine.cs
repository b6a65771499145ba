using System.Globalization;

namespace Rill.Bench.Kafka;

/// <summary>The two fields of an input line (<c>timestampMillis,userId,url</c>) the window count needs.</summary>
public static class ClickLine
{
    public static long TimestampOf(string line)
    {
        var comma = line.IndexOf(',');
        return comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp)
            ? timestamp
            : throw new FormatException($"'{line}' does not start with 'timestampMillis,'.");
    }

    /// <summary>The user id as text (keys stay strings, as on the input topic).</summary>
    public static string UserIdOf(string line)
    {
        var first = line.IndexOf(',');
        var second = first < 0 ? -1 : line.IndexOf(',', first + 1);
        return second > first + 1 ? line[(first + 1)..second] : throw new FormatException($"'{line}' is not 'timestampMillis,userId,url'.");
    }
}
