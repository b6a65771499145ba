using Rill.Api;

namespace Rill.Samples.ClickCounts;

/// <summary>The command line of the sample; anything it does not understand is a usage error (exit code 2).</summary>
internal sealed record ClickCountsOptions(string? Input, string? Output, int? Parallelism, int? RestPort, bool SkipMalformed, bool ShowHelp, DeploymentOptions Deployment,
    int? CheckpointingMs = null, bool Follow = false, string? CheckpointDirectory = null, int? LinesPerSecond = null)
{
    public const string Usage = "ClickCounts [--input FILE [--follow]] [--output DIR] [--parallelism N] [--rest-port P]"
        + " [--checkpointing MS] [--checkpoint-dir DIR] [--lines-per-second N] [--from-savepoint DIR [--allow-non-restored-state]] [--restart-strategy S]"
        + " [--role jobmanager|taskmanager] [--jobmanager URL] [--slots N] [--cluster redis://HOST:PORT] [--cluster-id ID] [--skip-malformed]";

    public static ClickCountsOptions Parse(IReadOnlyList<string> args)
    {
        try
        {
            var parameters = ParameterTool.FromArgs(args);
            // A typo such as --skip-malformd must not silently turn skipping off.
            parameters.CheckKnown(["input", "output", "parallelism", "rest-port", "skip-malformed", "help", "checkpointing", "follow", "checkpoint-dir", "lines-per-second", .. DeploymentOptions.Keys]);
            var follow = parameters.GetFlag("follow");
            if (follow && !parameters.Has("input"))
            {
                throw new ArgumentException("Option --follow needs --input FILE (the file whose appended lines are read).");
            }

            var checkpointing = parameters.GetAtLeastOne("checkpointing");
            if (checkpointing is < 10)
            {
                throw new ArgumentException($"Option --checkpointing needs an interval of at least 10 ms, got {checkpointing}.");
            }

            return new ClickCountsOptions(
                parameters.GetNonEmpty("input"),
                parameters.GetNonEmpty("output"),
                parameters.GetAtLeastOne("parallelism"),
                parameters.GetPort("rest-port"),
                parameters.GetFlag("skip-malformed"),
                parameters.Has("help"),
                DeploymentOptions.Read(parameters),
                checkpointing,
                follow,
                parameters.GetNonEmpty("checkpoint-dir"),
                parameters.GetAtLeastOne("lines-per-second"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
