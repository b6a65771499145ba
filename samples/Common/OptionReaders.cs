using Rill.Api;

namespace Rill.Samples;

/// <summary>Stricter readers for the samples' options: an empty path or a zero parallelism is a usage error, not a default.</summary>
internal static class OptionReaders
{
    public static string? GetNonEmpty(this ParameterTool parameters, string key)
    {
        var value = parameters.Get(key);
        return value is "" ? throw new ArgumentException($"Option --{key} needs a non-empty value.") : value;
    }

    public static int? GetAtLeastOne(this ParameterTool parameters, string key)
    {
        var value = parameters.GetInt(key);
        return value < 1 ? throw new ArgumentException($"Option --{key} needs a whole number of at least 1, got {value}.") : value;
    }

    /// <summary>A TCP port; 0 lets the system pick a free one.</summary>
    public static int? GetPort(this ParameterTool parameters, string key)
    {
        var value = parameters.GetInt(key);
        return value is < 0 or > 65535 ? throw new ArgumentException($"Option --{key} needs a port between 0 and 65535, got {value}.") : value;
    }
}
