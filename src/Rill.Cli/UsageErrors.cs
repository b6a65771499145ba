using System.CommandLine;
using System.CommandLine.Parsing;

namespace Rill.Cli;

/// <summary>
/// System.CommandLine's parse errors as one sentence. A token it did not recognize also leaves the command without a
/// subcommand, and "Required command was not provided" next to "Unrecognized command 'lsit'" only hides the real
/// mistake, so that consequence is dropped when a cause is there.
/// </summary>
internal static class UsageErrors
{
    public static string Describe(ParseResult parse)
    {
        var errors = parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToList();
        var causes = errors.Where(message => !IsMissingCommand(parse, message)).ToList();
        return string.Join(" ", causes.Count > 0 ? causes : errors);
    }

    private static bool IsMissingCommand(ParseResult parse, string message) =>
        parse.UnmatchedTokens.Count > 0 && message.StartsWith("Required command was not provided", StringComparison.Ordinal);
}
