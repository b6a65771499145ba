/*
 * Generates the reference vectors for Rill's key-group assignment tests
 * (tests/Rill.Core.Tests/State/KeyGroupAssignmentTests.cs).
 *
 * Key hash codes come from the JDK's own hashCode() implementations (Integer, Long, String, Boolean,
 * Double, Float, Short, Character). Everything else is a verbatim transcription of the published
 * formulas in Apache Flink:
 *   org.apache.flink.util.MathUtils.murmurHash(int), bitMix(int), roundUpToPowerOfTwo(int)
 *   org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignToKeyGroup,
 *     computeKeyGroupForKeyHash, computeOperatorIndexForKeyGroup,
 *     computeKeyGroupRangeForOperatorIndex, computeDefaultMaxParallelism
 *
 * Regenerate (JDK 17, run from tests/Rill.Core.Tests/TestData):
 *   javac -d /tmp/kgv KeyGroupVectors.java && java -cp /tmp/kgv KeyGroupVectors .
 *
 * Output (all plain ASCII, '\n' line endings, '#' lines are comments):
 *   keygroup-vectors.csv           kind,key,javaHashCode,murmur,maxP,keyGroup,parallelism,operatorIndex
 *   keygroup-ranges.csv            maxP,parallelism,operatorIndex,startKeyGroup,endKeyGroup
 *   default-max-parallelism.csv    parallelism,defaultMaxParallelism
 *
 * Key literal encodings in keygroup-vectors.csv:
 *   int, long, short  decimal
 *   char              4 hex digits of the UTF-16 code unit
 *   bool              true | false
 *   double            16 hex digits of Double.doubleToRawLongBits (keeps -0.0 and NaN payloads exact)
 *   float             8 hex digits of Float.floatToRawIntBits
 *   string            UTF-16 code units, 4 hex digits each, concatenated (empty field = empty string)
 */

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

public final class KeyGroupVectors {

    // ---- Flink org.apache.flink.util.MathUtils -------------------------------------------------

    static int murmurHash(int code) {
        code *= 0xcc9e2d51;
        code = Integer.rotateLeft(code, 15);
        code *= 0x1b873593;

        code = Integer.rotateLeft(code, 13);
        code = code * 5 + 0xe6546b64;

        code ^= 4;
        code = bitMix(code);

        if (code >= 0) {
            return code;
        } else if (code != Integer.MIN_VALUE) {
            return -code;
        } else {
            return 0;
        }
    }

    static int bitMix(int in) {
        in ^= in >>> 16;
        in *= 0x85ebca6b;
        in ^= in >>> 13;
        in *= 0xc2b2ae35;
        in ^= in >>> 16;
        return in;
    }

    static int roundUpToPowerOfTwo(int x) {
        x = x - 1;
        x |= x >> 1;
        x |= x >> 2;
        x |= x >> 4;
        x |= x >> 8;
        x |= x >> 16;
        return x + 1;
    }

    // ---- Flink org.apache.flink.runtime.state.KeyGroupRangeAssignment -------------------------

    static final int DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 1 << 7;
    static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    static int assignToKeyGroup(Object key, int maxParallelism) {
        return computeKeyGroupForKeyHash(key.hashCode(), maxParallelism);
    }

    static int computeKeyGroupForKeyHash(int keyHash, int maxParallelism) {
        return murmurHash(keyHash) % maxParallelism;
    }

    static int computeOperatorIndexForKeyGroup(int maxParallelism, int parallelism, int keyGroupId) {
        return keyGroupId * parallelism / maxParallelism;
    }

    static int[] computeKeyGroupRangeForOperatorIndex(int maxParallelism, int parallelism, int operatorIndex) {
        int start = ((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
        int end = ((operatorIndex + 1) * maxParallelism - 1) / parallelism;
        return new int[] {start, end};
    }

    static int computeDefaultMaxParallelism(int operatorParallelism) {
        return Math.min(
                Math.max(
                        roundUpToPowerOfTwo(operatorParallelism + (operatorParallelism / 2)),
                        DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
                UPPER_BOUND_MAX_PARALLELISM);
    }

    // ---- vectors -----------------------------------------------------------------------------

    static final int[] MAX_PARALLELISMS = {128, 256, 32768, 7};
    static final int[] PARALLELISMS = {1, 2, 3, 4, 5};

    /** A key together with its CSV kind tag and unambiguous literal. */
    record Key(String kind, String literal, Object value) {}

    static String utf16Hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            sb.append(String.format("%04x", (int) s.charAt(i)));
        }
        return sb.toString();
    }

    static List<Key> keys() {
        List<Key> keys = new ArrayList<>();
        Random random = new Random(20240617L);

        List<Integer> ints = new ArrayList<>(List.of(
                0, 1, -1, 2, 7, 42, 100, 127, 128, 1000, -42, 65536, 123456789,
                Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 1));
        for (int i = 0; i < 12; i++) {
            ints.add(random.nextInt());
        }
        for (int v : ints) {
            keys.add(new Key("int", Integer.toString(v), v));
        }

        List<Long> longs = new ArrayList<>(List.of(
                0L, 1L, -1L, 42L, -42L, 4294967295L, 4294967296L, -4294967296L, 1L << 32 | 1L,
                1234567890123456789L, -1234567890123456789L, 1700000000000L,
                Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE + 1));
        for (int i = 0; i < 8; i++) {
            longs.add(random.nextLong());
        }
        for (long v : longs) {
            keys.add(new Key("long", Long.toString(v), v));
        }

        String[] strings = {
            "", "a", "b", "hello", "Hello", "user-17", "user-18", "key", "flink", "rill",
            "The quick brown fox jumps over the lazy dog", "a,b;c\"d\n", " ", "\u0000",
            "Gr\u00fc\u00dfe", "\u65e5\u672c\u8a9e", "\ud83d\ude00x", "\ud800", "\u00e9t\u00e9", "\uffff",
        };
        for (String s : strings) {
            keys.add(new Key("string", utf16Hex(s), s));
        }

        keys.add(new Key("bool", "true", Boolean.TRUE));
        keys.add(new Key("bool", "false", Boolean.FALSE));

        long[] doubleBits = {
            Double.doubleToRawLongBits(0.0),
            Double.doubleToRawLongBits(-0.0),
            Double.doubleToRawLongBits(1.5),
            Double.doubleToRawLongBits(-1.5),
            Double.doubleToRawLongBits(1.0),
            Double.doubleToRawLongBits(3.141592653589793),
            Double.doubleToRawLongBits(1e300),
            Double.doubleToRawLongBits(Double.MIN_VALUE),
            Double.doubleToRawLongBits(Double.MAX_VALUE),
            Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
            Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY),
            0x7ff8000000000000L, // canonical NaN (Double.NaN)
            0xfff8000000000000L, // negative quiet NaN (what .NET's double.NaN is on x64)
            0x7ff8000000000123L, // quiet NaN with payload
        };
        for (long bits : doubleBits) {
            keys.add(new Key("double", String.format("%016x", bits), Double.longBitsToDouble(bits)));
        }

        int[] floatBits = {
            Float.floatToRawIntBits(0.0f),
            Float.floatToRawIntBits(-0.0f),
            Float.floatToRawIntBits(1.5f),
            Float.floatToRawIntBits(-2.25f),
            Float.floatToRawIntBits(Float.MAX_VALUE),
            0x7fc00000, // canonical NaN (Float.NaN)
            0xffc00000, // negative quiet NaN (what .NET's float.NaN is on x64)
        };
        for (int bits : floatBits) {
            keys.add(new Key("float", String.format("%08x", bits), Float.intBitsToFloat(bits)));
        }

        short[] shorts = {0, 1, -1, 42, Short.MIN_VALUE, Short.MAX_VALUE};
        for (short v : shorts) {
            keys.add(new Key("short", Short.toString(v), v));
        }

        char[] chars = {'a', 'Z', '0', '\u00fc', '\u65e5', '\ud83d', '\uffff', '\u0000'};
        for (char v : chars) {
            keys.add(new Key("char", String.format("%04x", (int) v), v));
        }

        return keys;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args.length > 0 ? args[0] : ".");
        String banner = "# Generated by KeyGroupVectors.java (JDK " + System.getProperty("java.specification.version")
                + "): Java hashCode() + Flink KeyGroupRangeAssignment/MathUtils formulas. Do not edit.";

        try (PrintWriter out = writer(dir.resolve("keygroup-vectors.csv"))) {
            out.print(banner + "\n");
            out.print("kind,key,javaHashCode,murmur,maxP,keyGroup,parallelism,operatorIndex\n");
            for (Key key : keys()) {
                int hash = key.value().hashCode();
                int murmur = murmurHash(hash);
                for (int maxP : MAX_PARALLELISMS) {
                    int keyGroup = assignToKeyGroup(key.value(), maxP);
                    if (keyGroup != murmur % maxP) {
                        throw new AssertionError("inconsistent key group");
                    }
                    for (int p : PARALLELISMS) {
                        int operatorIndex = computeOperatorIndexForKeyGroup(maxP, p, keyGroup);
                        out.print(key.kind() + "," + key.literal() + "," + hash + "," + murmur + "," + maxP + ","
                                + keyGroup + "," + p + "," + operatorIndex + "\n");
                    }
                }
            }
        }

        try (PrintWriter out = writer(dir.resolve("keygroup-ranges.csv"))) {
            out.print(banner + "\n");
            out.print("maxP,parallelism,operatorIndex,startKeyGroup,endKeyGroup\n");
            int[][] combos = {{1, 1}, {128, 128}, {128, 7}, {128, 100}, {32768, 7}, {32768, 1000}};
            List<int[]> all = new ArrayList<>();
            for (int maxP : MAX_PARALLELISMS) {
                for (int p : PARALLELISMS) {
                    all.add(new int[] {maxP, p});
                }
            }
            all.addAll(List.of(combos));
            for (int[] c : all) {
                int maxP = c[0];
                int p = c[1];
                for (int op = 0; op < p; op++) {
                    int[] range = computeKeyGroupRangeForOperatorIndex(maxP, p, op);
                    out.print(maxP + "," + p + "," + op + "," + range[0] + "," + range[1] + "\n");
                }
            }
        }

        try (PrintWriter out = writer(dir.resolve("default-max-parallelism.csv"))) {
            out.print(banner + "\n");
            out.print("parallelism,defaultMaxParallelism\n");
            List<Integer> ps = new ArrayList<>();
            for (int p = 1; p <= 40; p++) {
                ps.add(p);
            }
            ps.addAll(List.of(64, 85, 86, 100, 128, 1000, 10000, 20000, 21845, 21846, 30000, 32768));
            for (int p : ps) {
                out.print(p + "," + computeDefaultMaxParallelism(p) + "\n");
            }
        }
    }

    static PrintWriter writer(Path path) throws IOException {
        return new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.US_ASCII));
    }
}
