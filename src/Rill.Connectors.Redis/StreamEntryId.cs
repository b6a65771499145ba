using System.Globalization;

namespace Rill.Connectors.Redis;

/// <summary>
/// A Redis Streams entry id, <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>, both unsigned 64-bit: ids order entries in a
/// stream, so the source compares them to know where a bounded read ends.
/// </summary>
internal readonly record struct StreamEntryId(ulong Milliseconds, ulong Sequence) : IComparable<StreamEntryId>
{
    public static readonly StreamEntryId Zero = new(0, 0);

    /// <summary>Parses "ms-seq", or "ms" alone (sequence 0), as Redis accepts them.</summary>
    public static StreamEntryId Parse(string id)
    {
        if (TryParse(id, out var parsed))
        {
            return parsed;
        }

        throw new FormatException($"'{id}' is not a Redis stream entry id (expected <milliseconds>-<sequence>, e.g. 1700000000000-0).");
    }

    public static bool TryParse(string? id, out StreamEntryId parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var milliseconds = dash < 0 ? id : id[..dash];
        var sequence = dash < 0 ? "0" : id[(dash + 1)..];
        if (!ulong.TryParse(milliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        parsed = new StreamEntryId(ms, seq);
        return true;
    }

    public int CompareTo(StreamEntryId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) < 0;

    public static bool operator >(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) > 0;

    public static bool operator <=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
