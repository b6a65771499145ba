using System.Numerics;
using System.Runtime.CompilerServices;

namespace Rill.State;

/// <summary>Bit-for-bit ports of Flink's <c>org.apache.flink.util.MathUtils</c> helpers that key routing depends on.</summary>
public static class MathUtils
{
    /// <summary>Flink's <c>MathUtils.murmurHash(int)</c>: scrambles a hash code into a non-negative int.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MurmurHash(int code)
    {
        unchecked
        {
            var h = (uint)code;
            h *= 0xcc9e2d51;
            h = BitOperations.RotateLeft(h, 15);
            h *= 0x1b873593;
            h = BitOperations.RotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
            h ^= 4;
            h = BitMix(h);
            var result = (int)h;
            if (result >= 0)
            {
                return result;
            }

            return result != int.MinValue ? -result : 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BitMix(uint value)
    {
        unchecked
        {
            value ^= value >> 16;
            value *= 0x85ebca6b;
            value ^= value >> 13;
            value *= 0xc2b2ae35;
            value ^= value >> 16;
            return value;
        }
    }

    public static int RoundUpToPowerOfTwo(int x)
    {
        if (x <= 1)
        {
            return 1;
        }

        return (int)BitOperations.RoundUpToPowerOf2((uint)x);
    }
}
