using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Rill.Runtime.Messages;

namespace Rill.Cli.Options;

/// <summary>
/// Parsers for the value kinds rill's options share (ports, addresses, URLs, durations, counts). Each reports a bad
/// value as a parse error, so it becomes the same one-line usage error (exit 2) as an unknown option.
/// </summary>
internal static class OptionValues
{
    public static int Port(ArgumentResult result) => Integer(result, 0, 65535, "a TCP port (0-65535; 0 picks a free one)");

    public static int Positive(ArgumentResult result) => Integer(result, 1, int.MaxValue, "a whole number of at least 1");

    public static IPAddress? Address(ArgumentResult result)
    {
        var text = Single(result);
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::).");
        return null;
    }

    public static TimeSpan? Seconds(ArgumentResult result)
    {
        var text = Single(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && double.IsFinite(seconds) && seconds <= int.MaxValue)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a positive number of seconds.");
        return null;
    }

    /// <summary>
    /// A savepoint directory: absolute, because the JobManager and TaskManagers read and write it on their machines,
    /// where a path relative to the client's shell would name another directory or none.
    /// </summary>
    public static string? AbsolutePath(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = Single(result);
        if (Path.IsPathFullyQualified(text))
        {
            return text;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not an absolute path; the cluster resolves it on its own machines, so give it in full (e.g. /shared/savepoints).");
        return null;
    }

    /// <summary>A job id as the REST API accepts it (Flink's JobID: 32 lowercase hexadecimal characters).</summary>
    public static string? JobId(ArgumentResult result)
    {
        var text = Single(result);
        if (JobIds.TryParse(text, out _))
        {
            return text;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a job id: job ids are 32 lowercase hexadecimal characters, as 'rill run' and 'rill list' print them.");
        return null;
    }

    /// <summary>An absolute http(s) URL, ending with '/' so that request paths are appended to it, not put in its place.</summary>
    public static Uri? RestUrl(string text, string source, Action<string> error)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            error($"{source}: '{text}' is not an http:// or https:// URL of a JobManager's REST API (e.g. http://localhost:8081).");
            return null;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    public static Uri? RestUrl(ArgumentResult result) => RestUrl(Single(result), OptionName(result), result.AddError);

    private static int Integer(ArgumentResult result, int min, int max, string expected)
    {
        var text = Single(result);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not {expected}.");
        return default;
    }

    private static string Single(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
