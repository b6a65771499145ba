using System.Globalization;

namespace Rill.Cli.Output;

/// <summary>Durations and instants as people read them in a terminal: short units, local time, no culture surprises.</summary>
internal static class Durations
{
    /// <summary>"850 ms", "4.213 s", "2 min 03 s", "1 h 02 min": precise where it matters, short where it does not.</summary>
    public static string Format(long milliseconds)
    {
        if (milliseconds < 0)
        {
            return "-";
        }

        var duration = TimeSpan.FromMilliseconds(milliseconds);
        return duration switch
        {
            { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{milliseconds} ms"),
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.000} s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes} min {duration.Seconds:00} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes:00} min"),
        };
    }

    /// <summary>An epoch-millisecond time from the REST API in local time; -1 (Flink's "not yet") as "-".</summary>
    public static string FormatInstant(long epochMilliseconds) =>
        epochMilliseconds < 0
            ? "-"
            : DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
