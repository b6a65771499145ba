using System.CommandLine;
using Rill.Cli.Rest;

namespace Rill.Cli.Options;

/// <summary>
/// The options that say which JobManager to talk to and how to prove the right to: every command that reaches a
/// cluster takes them, with the same names, environment variables and checks. Each command gets its own instances,
/// as a System.CommandLine symbol belongs to one command.
/// </summary>
internal static class ClusterOptions
{
    public const string DefaultJobManager = "http://localhost:8081";

    /// <summary>The JobManager's REST URL: the option, else RILL_JOBMANAGER, else <paramref name="fallback"/> (none: required).</summary>
    public static Option<Uri> JobManager(string? fallback = DefaultJobManager)
    {
        var option = new Option<Uri>("--jobmanager")
        {
            Description = $"REST URL of the JobManager (env {EnvironmentVariables.JobManager}).",
            HelpName = "URL",
            CustomParser = result => OptionValues.RestUrl(result)!,
        };
        option.DefaultValueFactory = result =>
        {
            if (EnvironmentVariables.Get(EnvironmentVariables.JobManager) is { } fromEnvironment)
            {
                return OptionValues.RestUrl(fromEnvironment, EnvironmentVariables.JobManager, result.AddError)!;
            }

            if (fallback is null)
            {
                result.AddError($"--jobmanager is required (or set {EnvironmentVariables.JobManager}): the REST URL of the JobManager to join, e.g. http://jobmanager:8081.");
                return null!;
            }

            return OptionValues.RestUrl(fallback, "--jobmanager", result.AddError)!;
        };
        return option;
    }

    /// <summary>The JobManager's REST URL when another way to find it may be given instead: the option, else RILL_JOBMANAGER, else null.</summary>
    public static Option<Uri?> OptionalJobManager()
    {
        var option = new Option<Uri?>("--jobmanager")
        {
            Description = $"REST URL of the JobManager to join (env {EnvironmentVariables.JobManager}); not needed with --cluster.",
            HelpName = "URL",
            CustomParser = result => OptionValues.RestUrl(result),
        };
        option.DefaultValueFactory = result => EnvironmentVariables.Get(EnvironmentVariables.JobManager) is { } fromEnvironment
            ? OptionValues.RestUrl(fromEnvironment, EnvironmentVariables.JobManager, result.AddError)
            : null;
        return option;
    }

    /// <summary>HA services shared by an HA cluster's JobManagers and TaskManagers, and the cluster's id in them.</summary>
    public static (Option<string?> Cluster, Option<string> ClusterId) HighAvailability() => (
        new Option<string?>("--cluster")
        {
            Description = "HA services (redis://HOST:PORT): JobManagers elect a leader, TaskManagers follow it.",
            HelpName = "URL",
            CustomParser = result => result.Tokens.Single().Value is var value && value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
                ? value
                : Fail(result, $"--cluster needs a redis:// URL such as redis://localhost:6379, got '{result.Tokens.Single().Value}'."),
        },
        new Option<string>("--cluster-id")
        {
            Description = "Namespaces the cluster's HA data (several clusters may share one Redis).",
            HelpName = "ID",
            DefaultValueFactory = _ => "default",
        });

    private static string? Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    /// <summary>
    /// The bearer token option; read it with <see cref="GetAuthToken"/>. Given but blank is a usage error, never "no
    /// token". The variable is not the option's default value on purpose: help prints default values.
    /// </summary>
    public static Option<string?> AuthToken(string description)
    {
        var option = new Option<string?>("--auth-token")
        {
            Description = $"{description} (env {EnvironmentVariables.AuthToken}; prefer the variable: command lines are visible to other users).",
            HelpName = "TOKEN",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError("--auth-token must not be empty or blank.");
            }
        });
        return option;
    }

    /// <summary>The token: the option, else RILL_AUTH_TOKEN, else none.</summary>
    public static string? GetAuthToken(ParseResult parse, Option<string?> authToken) =>
        parse.GetValue(authToken) ?? EnvironmentVariables.Get(EnvironmentVariables.AuthToken);

    /// <summary>A REST client for the JobManager and token these options name.</summary>
    public static RestClusterClient Connect(ParseResult parse, Option<Uri> jobManager, Option<string?> authToken) =>
        new(parse.GetRequiredValue(jobManager), GetAuthToken(parse, authToken));
}
