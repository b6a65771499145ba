using System.Runtime.CompilerServices;
using Rill.Serialization;

namespace Rill.State;

/// <summary>
/// A hash code that is the same in every process and on every run, because keys are routed and state is
/// partitioned by it. For int, long, string (UTF-16), bool, char, short, byte, double and float it equals Java's
/// <c>hashCode</c>, so key groups match Flink's. Tuples combine like Flink's <c>Tuple2.hashCode</c> (31 * h1 + h2).
/// Types that implement <see cref="IStableHashable"/> supply their own; any other type is hashed over its
/// serialized bytes as Java's <c>Arrays.hashCode(byte[])</c>. Never <c>string.GetHashCode()</c>: .NET randomises it per process.
/// </summary>
public static class StableHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of<T>(T key)
    {
        if (typeof(T) == typeof(int))
        {
            return Unsafe.As<T, int>(ref key);
        }

        if (typeof(T) == typeof(long))
        {
            return OfInt64(Unsafe.As<T, long>(ref key));
        }

        if (typeof(T) == typeof(string))
        {
            return OfString(Unsafe.As<T, string>(ref key));
        }

        return OfOther(key);
    }

    public static int OfInt64(long value) => unchecked((int)(value ^ (long)((ulong)value >> 32)));

    /// <summary>Java's <c>String.hashCode</c>: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units.</summary>
    public static int OfString(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        var h = 0;
        unchecked
        {
            foreach (var c in value)
            {
                h = (31 * h) + c;
            }
        }

        return h;
    }

    private static int OfOther<T>(T key)
    {
        switch (key)
        {
            case null:
                return 0;
            case bool b:
                return b ? 1231 : 1237;
            case char c:
                return c;
            case short s:
                return s;
            case sbyte b:
                return b;
            case byte b:
                return b;
            case double d:
                // Java canonicalises every NaN to 0x7ff8000000000000; .NET's double.NaN has the sign bit set.
                return OfInt64(double.IsNaN(d) ? 0x7ff8000000000000L : BitConverter.DoubleToInt64Bits(d));
            case float f:
                return float.IsNaN(f) ? 0x7fc00000 : BitConverter.SingleToInt32Bits(f);
            case int i:
                return i;
            case long l:
                return OfInt64(l);
            case string s:
                return OfString(s);
            case IStableHashable own:
                return own.StableHashCode();
            case ITuple tuple:
                return OfTuple(tuple);
            case Enum e:
                return OfInt64(Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture));
            default:
                return OfSerializedBytes(key);
        }
    }

    private static int OfTuple(ITuple tuple)
    {
        var h = 0;
        unchecked
        {
            for (var i = 0; i < tuple.Length; i++)
            {
                var item = tuple[i];
                var itemHash = item is null ? 0 : ItemHasher(item.GetType())(item);
                h = i == 0 ? itemHash : (31 * h) + itemHash;
            }
        }

        return h;
    }

    private static readonly System.Reflection.MethodInfo OfObjectMethod = typeof(StableHash).GetMethod(nameof(OfBoxed), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object, int>> ItemHashers = new();

    // Tuple items arrive boxed; a delegate per item type (made once) hashes them as their static type would.
    private static Func<object, int> ItemHasher(Type type) =>
        ItemHashers.GetOrAdd(type, t => OfObjectMethod.MakeGenericMethod(t).CreateDelegate<Func<object, int>>());

    private static int OfBoxed<T>(object value) => Of((T)value);

    [ThreadStatic]
    private static DataOutputSerializer? _scratch;

    private static int OfSerializedBytes<T>(T key)
    {
        var scratch = _scratch ??= new DataOutputSerializer();
        scratch.Clear();
        TypeSerializers.For<T>().Serialize(key, scratch);
        var h = 1;
        unchecked
        {
            foreach (var b in scratch.WrittenSpan)
            {
                h = (31 * h) + (sbyte)b;
            }
        }

        return h;
    }
}

/// <summary>Implemented by key types that define their own process-independent hash code.</summary>
public interface IStableHashable
{
    int StableHashCode();
}
