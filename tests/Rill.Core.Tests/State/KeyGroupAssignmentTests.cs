// Reference vectors for key -> key group -> operator index routing.
//
// The expected values in TestData/keygroup-vectors.csv, keygroup-ranges.csv and default-max-parallelism.csv were
// NOT computed by Rill: they were produced by TestData/KeyGroupVectors.java, which uses Java's own hashCode()
// (JDK 17: Integer, Long, String, Boolean, Double, Float, Short, Character) and a verbatim transcription of
// Flink's published formulas (MathUtils.murmurHash/bitMix/roundUpToPowerOfTwo and
// KeyGroupRangeAssignment.assignToKeyGroup/computeOperatorIndexForKeyGroup/
// computeKeyGroupRangeForOperatorIndex/computeDefaultMaxParallelism). A mismatch therefore means Rill would route
// a key differently from Flink (and from a Flink savepoint's key-group layout).
//
// To regenerate (JDK 17+):
//   cd tests/Rill.Core.Tests/TestData
//   javac -d /tmp/kgv KeyGroupVectors.java && java -cp /tmp/kgv KeyGroupVectors .
// Key literal encodings are documented at the top of KeyGroupVectors.java (strings are UTF-16 code units in hex,
// doubles/floats are raw IEEE bits in hex so -0.0 and NaN payloads survive exactly).

using System.Globalization;
using System.Text;
using Rill.State;

namespace Rill.Tests.State;

public sealed class KeyGroupAssignmentTests
{
    private const int MaxReportedFailures = 60;

    private static readonly string[] KeyKinds = ["int", "long", "string", "bool", "double", "float", "short", "char"];

    private static readonly Lazy<IReadOnlyList<KeyVector>> KeyVectors = new(LoadKeyVectors);

    public static TheoryData<string> Kinds()
    {
        var data = new TheoryData<string>();
        foreach (var kind in KeyKinds)
        {
            data.Add(kind);
        }

        return data;
    }

    [Fact]
    public void VectorFileCoversEveryKeyKind()
    {
        var vectors = KeyVectors.Value;
        foreach (var kind in KeyKinds)
        {
            Assert.Contains(vectors, v => v.Kind == kind);
        }

        Assert.All(vectors, v => Assert.Contains(v.Kind, KeyKinds));
        Assert.True(vectors.Count > 1000, $"expected > 1000 key vectors, found {vectors.Count}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StableHashMatchesJavaHashCode(string kind)
    {
        var failures = new List<string>();
        foreach (var v in Distinct(kind))
        {
            var actual = Dispatch(v, new StableHashOf());
            if (actual != v.JavaHashCode)
            {
                failures.Add($"{v}: StableHash.Of<{v.Kind}> expected {v.JavaHashCode}, actual {actual}");
            }
        }

        AssertNoFailures(failures);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StableHashOfBoxedKeyMatchesJavaHashCode(string kind)
    {
        var failures = new List<string>();
        foreach (var v in Distinct(kind))
        {
            var actual = Dispatch(v, new StableHashOfBoxed());
            if (actual != v.JavaHashCode)
            {
                failures.Add($"{v}: StableHash.Of<object>(({v.Kind})key) expected {v.JavaHashCode}, actual {actual}");
            }
        }

        AssertNoFailures(failures);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MurmurHashMatchesFlink(string kind)
    {
        var failures = new List<string>();
        foreach (var v in Distinct(kind))
        {
            var actual = MathUtils.MurmurHash(v.JavaHashCode);
            if (actual != v.Murmur)
            {
                failures.Add($"{v}: MathUtils.MurmurHash({v.JavaHashCode}) expected {v.Murmur}, actual {actual}");
            }
        }

        AssertNoFailures(failures);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void KeyGroupMatchesFlink(string kind)
    {
        var failures = new List<string>();
        foreach (var v in KeyVectors.Value.Where(v => v.Kind == kind && v.Parallelism == 1))
        {
            var fromHash = KeyGroupRangeAssignment.ComputeKeyGroupForKeyHash(v.JavaHashCode, v.MaxParallelism);
            if (fromHash != v.KeyGroup)
            {
                failures.Add($"{v}: ComputeKeyGroupForKeyHash({v.JavaHashCode}, {v.MaxParallelism}) expected {v.KeyGroup}, actual {fromHash}");
            }

            var fromKey = Dispatch(v, new AssignToKeyGroupOf(v.MaxParallelism));
            if (fromKey != v.KeyGroup)
            {
                failures.Add($"{v}: AssignToKeyGroup<{v.Kind}>(key, {v.MaxParallelism}) expected {v.KeyGroup}, actual {fromKey}");
            }
        }

        AssertNoFailures(failures);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OperatorIndexMatchesFlink(string kind)
    {
        var failures = new List<string>();
        foreach (var v in KeyVectors.Value.Where(v => v.Kind == kind))
        {
            var fromKeyGroup = KeyGroupRangeAssignment.ComputeOperatorIndexForKeyGroup(v.MaxParallelism, v.Parallelism, v.KeyGroup);
            if (fromKeyGroup != v.OperatorIndex)
            {
                failures.Add(
                    $"{v}: ComputeOperatorIndexForKeyGroup({v.MaxParallelism}, {v.Parallelism}, {v.KeyGroup}) expected {v.OperatorIndex}, actual {fromKeyGroup}");
            }

            var fromKey = Dispatch(v, new AssignKeyToParallelOperatorOf(v.MaxParallelism, v.Parallelism));
            if (fromKey != v.OperatorIndex)
            {
                failures.Add(
                    $"{v}: AssignKeyToParallelOperator<{v.Kind}>(key, {v.MaxParallelism}, {v.Parallelism}) expected {v.OperatorIndex}, actual {fromKey}");
            }

            var range = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(v.MaxParallelism, v.Parallelism, v.OperatorIndex);
            if (!range.Contains(v.KeyGroup))
            {
                failures.Add($"{v}: key group {v.KeyGroup} not in range {range} of operator {v.OperatorIndex}");
            }
        }

        AssertNoFailures(failures);
    }

    [Fact]
    public void KeyGroupRangesMatchFlink()
    {
        var failures = new List<string>();
        var rows = ReadCsv("keygroup-ranges.csv", "maxP,parallelism,operatorIndex,startKeyGroup,endKeyGroup");
        Assert.NotEmpty(rows);
        foreach (var (line, f) in rows)
        {
            int maxP = ParseInt(f[0]), p = ParseInt(f[1]), op = ParseInt(f[2]), start = ParseInt(f[3]), end = ParseInt(f[4]);
            var actual = KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(maxP, p, op);
            if (actual != new KeyGroupRange(start, end))
            {
                failures.Add($"line {line}: ComputeKeyGroupRangeForOperatorIndex({maxP}, {p}, {op}) expected [{start}, {end}], actual {actual}");
            }
        }

        // The Java ranges for each (maxP, p) must tile [0, maxP - 1] exactly (sanity check of the data itself).
        foreach (var group in rows.GroupBy(r => (MaxP: ParseInt(r.Fields[0]), P: ParseInt(r.Fields[1]))))
        {
            var next = 0;
            foreach (var (_, f) in group.OrderBy(r => ParseInt(r.Fields[2])))
            {
                Assert.Equal(next, ParseInt(f[3]));
                next = ParseInt(f[4]) + 1;
            }

            Assert.Equal(group.Key.MaxP, next);
            Assert.Equal(group.Key.P, group.Count());
        }

        AssertNoFailures(failures);
    }

    [Fact]
    public void DefaultMaxParallelismMatchesFlink()
    {
        var failures = new List<string>();
        var rows = ReadCsv("default-max-parallelism.csv", "parallelism,defaultMaxParallelism");
        Assert.NotEmpty(rows);
        foreach (var (line, f) in rows)
        {
            int p = ParseInt(f[0]), expected = ParseInt(f[1]);
            var actual = KeyGroupRangeAssignment.ComputeDefaultMaxParallelism(p);
            if (actual != expected)
            {
                failures.Add($"line {line}: ComputeDefaultMaxParallelism({p}) expected {expected}, actual {actual}");
            }
        }

        AssertNoFailures(failures);
    }

    public static TheoryData<int, int> RangePartitionCases()
    {
        var data = new TheoryData<int, int>();
        for (var p = 1; p <= 8; p++)
        {
            data.Add(128, p);
        }

        for (var p = 1; p <= 7; p++)
        {
            data.Add(7, p);
        }

        data.Add(256, 3);
        data.Add(32768, 5);
        data.Add(128, 128);
        return data;
    }

    [Theory]
    [MemberData(nameof(RangePartitionCases))]
    public void EveryKeyGroupBelongsToExactlyOneOperatorRange(int maxParallelism, int parallelism)
    {
        var ranges = Enumerable.Range(0, parallelism)
            .Select(op => KeyGroupRangeAssignment.ComputeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, op))
            .ToArray();

        for (var keyGroup = 0; keyGroup < maxParallelism; keyGroup++)
        {
            var owners = new List<int>();
            for (var op = 0; op < parallelism; op++)
            {
                if (ranges[op].Contains(keyGroup))
                {
                    owners.Add(op);
                }
            }

            var owner = Assert.Single(owners);
            Assert.Equal(owner, KeyGroupRangeAssignment.ComputeOperatorIndexForKeyGroup(maxParallelism, parallelism, keyGroup));
        }

        Assert.Equal(maxParallelism, ranges.Sum(r => r.NumberOfKeyGroups));
    }

    [Fact]
    public void StringHashIsJavasNotDotNetsRandomizedGetHashCode()
    {
        // Java: "hello".hashCode() == 99162322. .NET's string.GetHashCode() is randomized per process.
        Assert.Equal(99162322, StableHash.Of("hello"));
        Assert.Equal(99162322, StableHash.Of<string>("hello"));
        Assert.Equal(99162322, StableHash.Of<object>("hello"));
        Assert.Equal(99162322, StableHash.OfString("hello"));
        Assert.Equal(0, StableHash.Of(string.Empty));
        Assert.Equal(97, StableHash.Of("a"));

        // Same routing as Flink for "hello": murmur 1715862179 -> key group 35 of 128.
        Assert.Equal(1715862179, MathUtils.MurmurHash(99162322));
        Assert.Equal(35, KeyGroupRangeAssignment.AssignToKeyGroup("hello", 128));
    }

    [Fact]
    public void WellKnownJavaHashCodes()
    {
        Assert.Equal(42, StableHash.Of(42));
        Assert.Equal(0, StableHash.Of(-1L));
        Assert.Equal(1, StableHash.Of(1L << 32));
        Assert.Equal(1231, StableHash.Of(true));
        Assert.Equal(1237, StableHash.Of(false));
        Assert.Equal(0, StableHash.Of(0.0));
        Assert.Equal(int.MinValue, StableHash.Of(-0.0));
        Assert.Equal(1073217536, StableHash.Of(1.5));
        Assert.Equal(593689054, MathUtils.MurmurHash(0));
    }

    [Fact]
    public void NaNHashesLikeJavasCanonicalNaN()
    {
        // Java's Double/Float.hashCode use doubleToLongBits/floatToIntBits, which map every NaN to the canonical
        // 0x7ff8000000000000 / 0x7fc00000. .NET's double.NaN / float.NaN constants have the sign bit set
        // (0xfff8000000000000 / 0xffc00000), so they are not a valid stand-in for Java's canonical NaN.
        Assert.Equal(2146959360, StableHash.Of(double.NaN));
        Assert.Equal(2146959360, StableHash.Of(BitConverter.Int64BitsToDouble(0x7ff8000000000000)));
        Assert.Equal(2143289344, StableHash.Of(float.NaN));
        Assert.Equal(2143289344, StableHash.Of(BitConverter.Int32BitsToSingle(0x7fc00000)));
    }

    // ---- CSV loading --------------------------------------------------------------------------------------

    private sealed record KeyVector(
        int Line,
        string Kind,
        string Key,
        int JavaHashCode,
        int Murmur,
        int MaxParallelism,
        int KeyGroup,
        int Parallelism,
        int OperatorIndex)
    {
        public override string ToString() => $"line {Line} {Kind} key={Describe(Kind, Key)}";
    }

    private static IEnumerable<KeyVector> Distinct(string kind) =>
        KeyVectors.Value.Where(v => v.Kind == kind).DistinctBy(v => v.Key);

    private static IReadOnlyList<KeyVector> LoadKeyVectors() =>
        ReadCsv("keygroup-vectors.csv", "kind,key,javaHashCode,murmur,maxP,keyGroup,parallelism,operatorIndex")
            .Select(r => new KeyVector(
                r.Line,
                r.Fields[0],
                r.Fields[1],
                ParseInt(r.Fields[2]),
                ParseInt(r.Fields[3]),
                ParseInt(r.Fields[4]),
                ParseInt(r.Fields[5]),
                ParseInt(r.Fields[6]),
                ParseInt(r.Fields[7])))
            .ToList();

    private static List<(int Line, string[] Fields)> ReadCsv(string fileName, string expectedHeader)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", fileName);
        Assert.True(File.Exists(path), $"missing test data file {path}");

        var rows = new List<(int Line, string[] Fields)>();
        var columns = expectedHeader.Split(',').Length;
        var headerSeen = false;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!headerSeen)
            {
                Assert.Equal(expectedHeader, line);
                headerSeen = true;
                continue;
            }

            var fields = line.Split(',');
            Assert.True(fields.Length == columns, $"{fileName} line {lineNumber}: expected {columns} fields, found {fields.Length}");
            rows.Add((lineNumber, fields));
        }

        Assert.True(headerSeen, $"{fileName}: header not found");
        return rows;
    }

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static long ParseHex64(string s) => long.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static int ParseHex32(string s) => int.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static string DecodeUtf16Hex(string hex)
    {
        Assert.True(hex.Length % 4 == 0, $"bad UTF-16 hex literal '{hex}'");
        var sb = new StringBuilder(hex.Length / 4);
        for (var i = 0; i < hex.Length; i += 4)
        {
            sb.Append((char)ushort.Parse(hex.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string Describe(string kind, string key) => kind switch
    {
        "string" => $"\"{Escape(DecodeUtf16Hex(key))}\" (utf16 {key})",
        "double" => $"{BitConverter.Int64BitsToDouble(ParseHex64(key)).ToString("R", CultureInfo.InvariantCulture)} (bits 0x{key})",
        "float" => $"{BitConverter.Int32BitsToSingle(ParseHex32(key)).ToString("R", CultureInfo.InvariantCulture)} (bits 0x{key})",
        "char" => $"'\\u{key}'",
        _ => key,
    };

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s)
        {
            sb.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return sb.ToString();
    }

    private static void AssertNoFailures(List<string> failures)
    {
        if (failures.Count == 0)
        {
            return;
        }

        var shown = failures.Take(MaxReportedFailures);
        var more = failures.Count > MaxReportedFailures ? $"\n... and {failures.Count - MaxReportedFailures} more" : string.Empty;
        Assert.Fail($"{failures.Count} mismatch(es) against the Java/Flink vectors:\n{string.Join('\n', shown)}{more}");
    }

    // ---- typed dispatch: call the generic APIs with the key's real static type -----------------------------

    private interface IKeyFunc
    {
        int Invoke<T>(T key);
    }

    private static int Dispatch<TFunc>(KeyVector v, TFunc func)
        where TFunc : IKeyFunc => v.Kind switch
        {
            "int" => func.Invoke(ParseInt(v.Key)),
            "long" => func.Invoke(long.Parse(v.Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            "string" => func.Invoke(DecodeUtf16Hex(v.Key)),
            "bool" => func.Invoke(bool.Parse(v.Key)),
            "double" => func.Invoke(BitConverter.Int64BitsToDouble(ParseHex64(v.Key))),
            "float" => func.Invoke(BitConverter.Int32BitsToSingle(ParseHex32(v.Key))),
            "short" => func.Invoke(short.Parse(v.Key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
            "char" => func.Invoke((char)ushort.Parse(v.Key, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)),
            _ => throw new InvalidOperationException($"unknown key kind '{v.Kind}' at line {v.Line}"),
        };

    private readonly struct StableHashOf : IKeyFunc
    {
        public int Invoke<T>(T key) => StableHash.Of(key);
    }

    private readonly struct StableHashOfBoxed : IKeyFunc
    {
        public int Invoke<T>(T key) => StableHash.Of<object>(key!);
    }

    private readonly struct AssignToKeyGroupOf(int maxParallelism) : IKeyFunc
    {
        public int Invoke<T>(T key) => KeyGroupRangeAssignment.AssignToKeyGroup(key, maxParallelism);
    }

    private readonly struct AssignKeyToParallelOperatorOf(int maxParallelism, int parallelism) : IKeyFunc
    {
        public int Invoke<T>(T key) => KeyGroupRangeAssignment.AssignKeyToParallelOperator(key, maxParallelism, parallelism);
    }
}
