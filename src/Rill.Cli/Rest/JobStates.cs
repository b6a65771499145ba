namespace Rill.Cli.Rest;

/// <summary>
/// Job states as the REST API spells them (Flink's names). Only the globally terminal ones matter to the CLI: a job
/// in any other state (RESTARTING, FAILING, ...) may still change.
/// </summary>
internal static class JobStates
{
    public const string Finished = "FINISHED";
    public const string Failed = "FAILED";
    public const string Canceled = "CANCELED";

    public static bool IsTerminal(string state) => state is Finished or Failed or Canceled;
}
