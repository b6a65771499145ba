using System.CommandLine.Parsing;
using System.Globalization;

namespace Rill.Cli.Options;

/// <summary>Parsers for <c>rill k8s generate</c>'s own value kinds, reporting bad values as parse errors (exit 2).</summary>
internal static class KubernetesOptionValues
{
    public static int NonNegativeSeconds(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return seconds;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a whole number of seconds (0 or more).");
        return default;
    }

    /// <summary>Repeated <c>NAME=VALUE</c> pairs (a later one wins).</summary>
    public static IReadOnlyDictionary<string, string> Assignments(ArgumentResult result)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in result.Tokens)
        {
            var separator = token.Value.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                result.AddError($"{OptionName(result)}: '{token.Value}' is not NAME=VALUE.");
                continue;
            }

            values[token.Value[..separator]] = token.Value[(separator + 1)..];
        }

        return values;
    }

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
