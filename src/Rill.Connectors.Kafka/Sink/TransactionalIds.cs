namespace Rill.Connectors.Kafka.Sink;

/// <summary>
/// Flink's naming: "{prefix}-{subtask}-{n}", where n is the id of the checkpoint after which the transaction was
/// opened, plus one (1 for the first transaction of a fresh job). Names are therefore stable across restarts: a restored
/// writer reopens the name its predecessor opened right after the restored checkpoint, which fences that predecessor.
/// </summary>
internal static class TransactionalIds
{
    public static string For(string prefix, int subtaskIndex, long number) => $"{prefix}-{subtaskIndex}-{number}";

    /// <summary>The subtask index and number of a name made by <see cref="For"/> with <paramref name="prefix"/>.</summary>
    public static bool TryParse(string transactionalId, string prefix, out int subtaskIndex, out long number)
    {
        subtaskIndex = 0;
        number = 0;
        if (!transactionalId.StartsWith(prefix + "-", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = transactionalId[(prefix.Length + 1)..].Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out subtaskIndex)
            && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }
}
