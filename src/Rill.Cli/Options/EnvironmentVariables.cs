namespace Rill.Cli.Options;

/// <summary>
/// Environment variables that stand in for options, so a token never has to appear in a command line (where other
/// users of the machine can read it) and a shell can point every command at one cluster once.
/// </summary>
internal static class EnvironmentVariables
{
    public const string JobManager = "RILL_JOBMANAGER";

    public const string AuthToken = "RILL_AUTH_TOKEN";

    public const string HealthPort = "RILL_HEALTH_PORT";

    /// <summary>The variable's value, or null when it is unset or blank (an empty export means "unset" to users).</summary>
    public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
