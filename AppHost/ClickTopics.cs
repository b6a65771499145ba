namespace Rill.AppHost;

/// <summary>The Kafka topics of the click pipeline and their partitions; the broker has them before any Rill process starts.</summary>
internal static class ClickTopics
{
    public const string Clicks = "clicks";
    public const string ClickCounts = "click-counts";
    public const string DeadLetters = "clicks-dead-letters";

    /// <summary>Four click partitions: the job's source can run 4 subtasks wide (2 task managers × 2 slots by default).</summary>
    public static readonly IReadOnlyList<(string Name, int Partitions)> All = [(Clicks, 4), (ClickCounts, 4), (DeadLetters, 1)];
}
