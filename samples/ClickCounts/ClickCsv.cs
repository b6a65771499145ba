using System.Globalization;

namespace Rill.Samples.ClickCounts;

/// <summary>The input format: "timestampMillis,userId,url" per line, no header; the url is everything after the second comma.</summary>
internal static class ClickCsv
{
    public const string Format = "timestampMillis,userId,url";

    // Timestamps a DateTimeOffset can hold (years 0001 to 9999): far enough from long's limits that window
    // bounds and watermarks (timestamp ± a minute or 5 s) cannot overflow.
    private static readonly long MinTimestamp = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxTimestamp = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Parses one line; on failure <paramref name="reason"/> says what is wrong with it.</summary>
    public static bool TryParse(string line, out Click click, out string reason)
    {
        click = default;
        var firstComma = line.IndexOf(',');
        var secondComma = firstComma < 0 ? -1 : line.IndexOf(',', firstComma + 1);
        if (secondComma < 0)
        {
            reason = $"expected '{Format}'";
            return false;
        }

        var timestampText = line[..firstComma];
        if (!long.TryParse(timestampText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var timestamp))
        {
            reason = IsWholeNumber(timestampText) ? $"timestamp '{timestampText}' is out of range" : $"timestamp '{timestampText}' is not a number";
            return false;
        }

        if (timestamp < MinTimestamp || timestamp > MaxTimestamp)
        {
            reason = $"timestamp '{timestampText}' is out of range (years 0001 to 9999)";
            return false;
        }

        var userText = line[(firstComma + 1)..secondComma];
        if (!int.TryParse(userText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var userId))
        {
            reason = IsWholeNumber(userText) ? $"user id '{userText}' is out of range (user ids are 32-bit integers)" : $"user id '{userText}' is not a number";
            return false;
        }

        click = new Click(timestamp, userId, line[(secondComma + 1)..]);
        reason = string.Empty;
        return true;
    }

    // Tells "too large" from "not a number" so the reason points at the actual problem.
    private static bool IsWholeNumber(string text)
    {
        var digits = text.AsSpan().Trim();
        if (digits.Length > 0 && digits[0] is '+' or '-')
        {
            digits = digits[1..];
        }

        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }
}
