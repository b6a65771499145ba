using System.Globalization;

namespace Rill.Bench.Kafka;

/// <summary>
/// The output record every contender writes: key = the user id, value = <c>windowStartMillis,windowEndMillis,userId,count</c>
/// (the ClickCounts sample's result line), both UTF-8.
/// </summary>
public static class WindowCountLine
{
    public const string Format = "windowStartMillis,windowEndMillis,userId,count";

    public static string Value(long windowStart, long windowEnd, int userId, long count) =>
        string.Create(CultureInfo.InvariantCulture, $"{windowStart},{windowEnd},{userId},{count}");

    /// <summary>The same line for a user id that is still text (the record key), without parsing it.</summary>
    public static string Value(long windowStart, long windowEnd, string userId, long count) =>
        string.Create(CultureInfo.InvariantCulture, $"{windowStart},{windowEnd},{userId},{count}");

    /// <summary>Parses one output record; on failure <paramref name="reason"/> says what is wrong with it.</summary>
    public static bool TryParse(string? key, string? value, long windowMs, out WindowKey window, out long count, out string reason)
    {
        window = default;
        count = 0;
        var fields = value?.Split(',');
        if (fields is not { Length: 4 }
            || !long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var end)
            || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var userId)
            || !long.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out count))
        {
            reason = $"value '{value}' is not '{Format}'";
            return false;
        }

        if (end - start != windowMs || start % windowMs != 0)
        {
            reason = $"value '{value}' is not a tumbling window of {windowMs} ms aligned to the epoch";
            return false;
        }

        if (key != fields[2])
        {
            reason = $"key '{key}' is not the user id of value '{value}'";
            return false;
        }

        window = new WindowKey(start, userId);
        reason = "";
        return true;
    }
}
