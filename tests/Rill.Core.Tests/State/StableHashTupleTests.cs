using Rill.State;

namespace Rill.Tests.State;

/// <summary>Tuple keys hash like Flink's Tuple2/Tuple3.hashCode (31 * h + next), from their items' Java hash codes.</summary>
public sealed class StableHashTupleTests
{
    [Fact]
    public void PairsCombineAsFlinksTuple2()
    {
        // Java: "a".hashCode() == 97, so Tuple2.of(1, "a").hashCode() == 31 * 1 + 97.
        Assert.Equal((31 * 1) + 97, StableHash.Of((1, "a")));
        Assert.Equal((31 * StableHash.OfString("user-17")) + StableHash.OfInt64(1_700_000_000_000L), StableHash.Of(("user-17", 1_700_000_000_000L)));
    }

    [Fact]
    public void TriplesAndNullItemsCombineAsFlinksTuple3()
    {
        var expected = unchecked((31 * ((31 * 7) + 0)) + 1231); // 7, null ("hashCode 0"), true
        Assert.Equal(expected, StableHash.Of((7, (string?)null, true)));
    }
}
