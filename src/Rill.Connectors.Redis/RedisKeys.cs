namespace Rill.Connectors.Redis;

/// <summary>Names of the helper keys the connectors keep next to a user's key.</summary>
internal static class RedisKeys
{
    /// <summary>
    /// A key that lives in the same Redis Cluster hash slot as <paramref name="key"/>, which a script touching both
    /// requires: the key itself when it already has a hash tag (a non-empty "{…}"), else the key wrapped in braces
    /// ("orders" → "{orders}:suffix", which hashes like "orders").
    /// </summary>
    public static string Companion(string key, string suffix)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var hasHashTag = open >= 0 && key.IndexOf('}', open + 1) is var close && close > open + 1;
        return hasHashTag ? $"{key}:{suffix}" : $"{{{key}}}:{suffix}";
    }
}
