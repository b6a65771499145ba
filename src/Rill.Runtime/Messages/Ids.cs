namespace Rill.Runtime.Messages;

/// <summary>One slot of one TaskManager.</summary>
public readonly record struct SlotId(string TaskManagerId, int SlotIndex)
{
    public override string ToString() => $"{TaskManagerId}_{SlotIndex}";
}

/// <summary>Job ids print as 32 lowercase hex characters, as in Flink.</summary>
public static class JobIds
{
    public static string Format(Guid jobId) => jobId.ToString("N");

    public static bool TryParse(string text, out Guid jobId)
    {
        jobId = Guid.Empty;
        return text.Length == 32 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')) && Guid.TryParseExact(text, "N", out jobId);
    }
}
