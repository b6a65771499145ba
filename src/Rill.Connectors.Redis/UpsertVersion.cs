namespace Rill.Connectors.Redis;

/// <summary>Checks a record's version before it goes to a compare-and-set script.</summary>
internal static class UpsertVersion
{
    /// <summary>Lua compares versions as doubles, which are exact only up to 2^53 (epoch milliseconds are far below).</summary>
    public const long Limit = 1L << 53;

    public static long Checked(long version, string key) =>
        version is > Limit or < -Limit
            ? throw new ArgumentOutOfRangeException(nameof(version), version,
                $"The version of '{key}' must lie within ±2^53 (Redis's Lua compares numbers as doubles, exact only up to there).")
            : version;
}
