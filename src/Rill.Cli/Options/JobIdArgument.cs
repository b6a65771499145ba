using System.CommandLine;
using Rill.Runtime.Messages;

namespace Rill.Cli.Options;

/// <summary>
/// A job id argument, checked before anything is sent: a typo is a usage error (exit 2) with the expected form, not a
/// round trip that comes back as a server error.
/// </summary>
internal static class JobIdArgument
{
    public static Argument<string> Create() => new("JOBID")
    {
        Description = "The job's id: 32 lowercase hexadecimal characters, as 'rill run' and 'rill list' print it.",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            // The REST API's own rule, so what passes here is never refused there as malformed.
            if (!JobIds.TryParse(text, out _))
            {
                result.AddError($"'{text}' is not a job id: job ids are 32 lowercase hexadecimal characters (see 'rill list').");
            }

            return text;
        },
    };
}
