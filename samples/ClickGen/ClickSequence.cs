using System.Globalization;

namespace Rill.Samples.ClickGen;

/// <summary>
/// The n-th click of the stream: when it is due on the wall clock (n / rate seconds after the start), its event time (the
/// start plus that span times the speed, so event time never goes backwards), a user drawn from a seeded generator, and a page.
/// </summary>
internal sealed class ClickSequence(long startMillis, int clicksPerSecond, double eventTimeSpeed, int users, int seed)
{
    private static readonly string[] Pages = ["/", "/search", "/cart", "/checkout", "/help"];
    private readonly Random _random = new(seed);

    /// <summary>How many clicks are due after <paramref name="elapsed"/> of wall-clock time.</summary>
    public long DueBy(TimeSpan elapsed) => (long)(elapsed.TotalSeconds * clicksPerSecond);

    public long EventTimeOf(long index) => startMillis + (long)(index * 1000.0 / clicksPerSecond * eventTimeSpeed);

    /// <summary>The next click as (key, value): the user id, and "timestampMillis,userId,url".</summary>
    public (string Key, string Value) Next(long index)
    {
        var user = _random.Next(1, users + 1).ToString(CultureInfo.InvariantCulture);
        var page = Pages[_random.Next(Pages.Length)];
        return (user, string.Create(CultureInfo.InvariantCulture, $"{EventTimeOf(index)},{user},{page}"));
    }
}
