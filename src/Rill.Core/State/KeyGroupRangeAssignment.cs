using System.Runtime.CompilerServices;

namespace Rill.State;

/// <summary>
/// Flink's <c>KeyGroupRangeAssignment</c>: keys map to key groups, key groups to operator indexes. Key groups
/// are the unit in which keyed state is stored, so state can be redistributed when parallelism changes.
/// </summary>
public static class KeyGroupRangeAssignment
{
    public const int DefaultLowerBoundMaxParallelism = 1 << 7;
    public const int UpperBoundMaxParallelism = 1 << 15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int AssignToKeyGroup<TKey>(TKey key, int maxParallelism) =>
        ComputeKeyGroupForKeyHash(StableHash.Of(key), maxParallelism);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ComputeKeyGroupForKeyHash(int keyHash, int maxParallelism)
    {
        var hash = MathUtils.MurmurHash(keyHash);
        // The murmur hash is non-negative, so a mask equals the modulo for powers of two (the default 128 is one).
        return (maxParallelism & (maxParallelism - 1)) == 0 ? hash & (maxParallelism - 1) : hash % maxParallelism;
    }

    public static int AssignKeyToParallelOperator<TKey>(TKey key, int maxParallelism, int parallelism) =>
        ComputeOperatorIndexForKeyGroup(maxParallelism, parallelism, AssignToKeyGroup(key, maxParallelism));

    public static int ComputeOperatorIndexForKeyGroup(int maxParallelism, int parallelism, int keyGroupId) =>
        (int)((long)keyGroupId * parallelism / maxParallelism);

    public static KeyGroupRange ComputeKeyGroupRangeForOperatorIndex(int maxParallelism, int parallelism, int operatorIndex)
    {
        CheckParallelism(maxParallelism, parallelism);
        var start = (int)((((long)operatorIndex * maxParallelism) + parallelism - 1) / parallelism);
        var end = (int)(((((long)operatorIndex + 1) * maxParallelism) - 1) / parallelism);
        return new KeyGroupRange(start, end);
    }

    /// <summary>Flink's default: min(max(roundUpPow2(p + p/2), 128), 32768).</summary>
    public static int ComputeDefaultMaxParallelism(int operatorParallelism) =>
        Math.Min(
            Math.Max(MathUtils.RoundUpToPowerOfTwo(operatorParallelism + (operatorParallelism / 2)), DefaultLowerBoundMaxParallelism),
            UpperBoundMaxParallelism);

    public static void CheckParallelism(int maxParallelism, int parallelism)
    {
        if (maxParallelism < 1 || maxParallelism > UpperBoundMaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, $"Max parallelism must be in [1, {UpperBoundMaxParallelism}].");
        }

        if (parallelism < 1 || parallelism > maxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism must be in [1, max parallelism {maxParallelism}].");
        }
    }
}
