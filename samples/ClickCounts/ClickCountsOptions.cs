using Rill.Api;

namespace Rill.Samples.ClickCounts;

/// <summary>The command line of the sample; anything it does not understand is a usage error (exit code 2).</summary>
internal sealed record ClickCountsOptions(string? Input, string? Output, int? Parallelism, int? RestPort, bool SkipMalformed, bool ShowHelp, DeploymentOptions Deployment)
{
    public const string Usage = "ClickCounts [--input FILE] [--output DIR] [--parallelism N] [--rest-port P]"
        + " [--role jobmanager|taskmanager] [--jobmanager URL] [--slots N] [--cluster redis://HOST:PORT] [--cluster-id ID] [--skip-malformed]";

    public static ClickCountsOptions Parse(IReadOnlyList<string> args)
    {
        try
        {
            var parameters = ParameterTool.FromArgs(args);
            // A typo such as --skip-malformd must not silently turn skipping off.
            parameters.CheckKnown(["input", "output", "parallelism", "rest-port", "skip-malformed", "help", .. DeploymentOptions.Keys]);
            return new ClickCountsOptions(
                parameters.GetNonEmpty("input"),
                parameters.GetNonEmpty("output"),
                parameters.GetAtLeastOne("parallelism"),
                parameters.GetPort("rest-port"),
                parameters.GetFlag("skip-malformed"),
                parameters.Has("help"),
                DeploymentOptions.Read(parameters));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
