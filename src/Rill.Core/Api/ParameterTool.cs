using System.Globalization;

namespace Rill.Api;

/// <summary>
/// Flink's ParameterTool: reads "--key value" and "--flag" arguments. Unknown keys are the caller's to reject
/// (<see cref="CheckKnown"/>), so a typo never silently changes a job.
/// </summary>
public sealed class ParameterTool
{
    private readonly Dictionary<string, string?> _values;

    private ParameterTool(Dictionary<string, string?> values) => _values = values;

    public static ParameterTool FromArgs(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options look like --name value.");
            }

            var key = arg.TrimStart('-');
            string? value = null;
            var eq = key.IndexOf('=');
            if (eq >= 0)
            {
                value = key[(eq + 1)..];
                key = key[..eq];
            }
            else if (i + 1 < args.Count && !(args[i + 1].StartsWith("--") && args[i + 1].Length > 2))
            {
                value = args[++i];
            }

            if (!values.TryAdd(key, value))
            {
                throw new ArgumentException($"Option --{key} is given more than once.");
            }
        }

        return new ParameterTool(values);
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public string? Get(string key) => _values.TryGetValue(key, out var value) ? value ?? throw new ArgumentException($"Option --{key} needs a value.") : null;

    public string Get(string key, string defaultValue) => Get(key) ?? defaultValue;

    public string GetRequired(string key) => Get(key) ?? throw new ArgumentException($"Missing required option --{key}.");

    public int? GetInt(string key)
    {
        var text = Get(key);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"Option --{key} needs a whole number, got '{text}'.");
    }

    /// <summary>True for a flag given without a value (or with true).</summary>
    public bool GetFlag(string key)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return false;
        }

        return value is null || (bool.TryParse(value, out var flag) ? flag : throw new ArgumentException($"Option --{key} is a flag: give it alone, or as --{key}=true|false (got '{value}')."));
    }

    /// <summary>Throws for any option not in <paramref name="known"/>.</summary>
    public void CheckKnown(params string[] known)
    {
        foreach (var key in _values.Keys)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw new ArgumentException($"Unknown option --{key}. Known options: {string.Join(", ", known.Select(k => "--" + k))}.");
            }
        }
    }
}
