using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Rill.Cluster.Tests;

/// <summary>
/// The parts of Flink's <c>GET /jobs/{id}/checkpoints</c> body (CheckpointingStatistics, see
/// src/Rill.Runtime/Rest/CheckpointStatsBody.cs) the tests read: the counts and the ids of the latest completed and
/// restored checkpoints (null while there is none).
/// </summary>
internal sealed record CheckpointDetails(int Completed, int Failed, int InProgress, int Restored, long? LatestCompletedId, long? LatestRestoredId,
    string? LatestRestoredPath, string Json)
{
    public static CheckpointDetails Parse(JsonElement body)
    {
        var counts = body.GetProperty("counts");
        var latest = body.GetProperty("latest");
        var completed = latest.GetProperty("completed");
        var restored = latest.GetProperty("restored");
        return new CheckpointDetails(
            counts.GetProperty("completed").GetInt32(),
            counts.GetProperty("failed").GetInt32(),
            counts.GetProperty("in_progress").GetInt32(),
            counts.GetProperty("restored").GetInt32(),
            completed.ValueKind == JsonValueKind.Object ? completed.GetProperty("id").GetInt64() : null,
            restored.ValueKind == JsonValueKind.Object ? restored.GetProperty("id").GetInt64() : null,
            restored.ValueKind == JsonValueKind.Object && restored.TryGetProperty("external_path", out var path) && path.ValueKind == JsonValueKind.String ? path.GetString() : null,
            body.GetRawText());
    }

    /// <summary>A checkpoint completed after the latest restore (or any, before the first): a restart now would resume from it.</summary>
    public bool HasCompletedSinceRestore => LatestCompletedId is { } id && id > (LatestRestoredId ?? 0);

    public override string ToString() =>
        $"checkpoints completed {Completed}, failed {Failed}, in progress {InProgress}, restored {Restored}; latest completed {LatestCompletedId?.ToString(CultureInfo.InvariantCulture) ?? "none"}, latest restored {LatestRestoredId?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
}

internal static class CheckpointRest
{
    /// <summary><c>GET /jobs/{id}/checkpoints</c>.</summary>
    public static async Task<CheckpointDetails> GetCheckpointsAsync(this ClusterHarness cluster, Uri rest, string jobId) =>
        CheckpointDetails.Parse(await cluster.GetJsonAsync(rest, $"jobs/{jobId}/checkpoints"));
}

/// <summary>
/// The seed of a test's random choices (when to kill, whom): <c>RILL_TEST_SEED</c> if set, else a fresh one. Written to the
/// test output and the harness timeline, so a failure can be replayed with <c>RILL_TEST_SEED=n dotnet test …</c>.
/// </summary>
internal static class TestSeed
{
    public static Random Create(ClusterHarness harness, ITestOutputHelper log)
    {
        var configured = Environment.GetEnvironmentVariable("RILL_TEST_SEED");
        var seed = string.IsNullOrWhiteSpace(configured) ? Random.Shared.Next() : int.Parse(configured, CultureInfo.InvariantCulture);
        log.WriteLine($"RILL_TEST_SEED={seed}");
        harness.Note($"RILL_TEST_SEED={seed}");
        return new Random(seed);
    }
}
