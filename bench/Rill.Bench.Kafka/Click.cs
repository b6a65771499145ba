using System.Globalization;
using System.Text;

namespace Rill.Bench.Kafka;

/// <summary>
/// One input event. On the input topic it is a ClickCounts CSV line, <c>timestampMillis,userId,url</c> (see
/// samples/ClickCounts/ClickCsv.cs), as the UTF-8 record value, with the user id as the UTF-8 record key.
/// </summary>
public readonly record struct Click(long Timestamp, int UserId, int ProductId)
{
    public string Line => string.Create(CultureInfo.InvariantCulture, $"{Timestamp},{UserId},/products/{ProductId}");

    public byte[] KeyBytes() => Encoding.UTF8.GetBytes(UserId.ToString(CultureInfo.InvariantCulture));

    public byte[] ValueBytes() => Encoding.UTF8.GetBytes(Line);
}
