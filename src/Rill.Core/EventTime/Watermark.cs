namespace Rill.EventTime;

/// <summary>A promise that no more records with a timestamp at or below <see cref="Timestamp"/> will arrive.</summary>
public readonly record struct Watermark(long Timestamp)
{
    public static readonly Watermark MaxWatermark = new(long.MaxValue);

    public static readonly Watermark UninitializedWatermark = new(long.MinValue);
}
