namespace Rill.Cli;

/// <summary>
/// The only exit codes rill uses, so scripts can tell "the job (or the server) failed" from "the command line was wrong"
/// without parsing messages.
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The job failed or was canceled, the JobManager refused the request or could not be reached.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: nothing was sent anywhere.</summary>
    public const int Usage = 2;
}
