using Rill.Api;

namespace Rill.Samples.WordCount;

/// <summary>The command line of the sample; anything it does not understand is a usage error (exit code 2).</summary>
internal sealed record WordCountOptions(string? Input, string? Output, int? Parallelism, int? RestPort, bool ShowHelp, DeploymentOptions Deployment, int? LinesPerSecond = null)
{
    public const string Usage = "WordCount [--input FILE] [--output DIR] [--parallelism N] [--rest-port P] [--lines-per-second N]"
        + " [--role jobmanager|taskmanager] [--jobmanager URL] [--slots N] [--cluster redis://HOST:PORT] [--cluster-id ID]";

    public static WordCountOptions Parse(IReadOnlyList<string> args)
    {
        try
        {
            var parameters = ParameterTool.FromArgs(args);
            // A typo such as --ouput must not silently print to stdout instead of writing the directory.
            parameters.CheckKnown(["input", "output", "parallelism", "rest-port", "lines-per-second", "help", .. DeploymentOptions.Keys]);
            return new WordCountOptions(
                parameters.GetNonEmpty("input"),
                parameters.GetNonEmpty("output"),
                parameters.GetAtLeastOne("parallelism"),
                parameters.GetPort("rest-port"),
                parameters.Has("help"),
                DeploymentOptions.Read(parameters),
                parameters.GetAtLeastOne("lines-per-second"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
