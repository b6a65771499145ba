using System.Globalization;

namespace Rill.Samples.ClickCounts;

/// <summary>The result: one user's clicks in the window [WindowStart, WindowEnd), in epoch milliseconds.</summary>
internal readonly record struct UserWindowCount(long WindowStart, long WindowEnd, int UserId, long Count)
{
    /// <summary>"windowStartMillis,windowEndMillis,userId,count".</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{WindowStart},{WindowEnd},{UserId},{Count}");
}
