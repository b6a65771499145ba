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
