namespace Rill.Logging;

/// <summary>Where Rill's console logger writes (<c>RILL_CONSOLE_LOG</c>).</summary>
internal enum ConsoleLogDestination
{
    /// <summary>The default: stdout stays the program's results.</summary>
    StandardError,

    /// <summary>For a console that shows stderr as errors (the Aspire dashboard's), when stdout carries no results.</summary>
    StandardOutput,

    /// <summary>Nothing on the console: the host's own providers (OpenTelemetry) have the logs.</summary>
    Off,
}

internal static class ConsoleLogDestinations
{
    public static ConsoleLogDestination Parse(string? value)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "stderr":
                return ConsoleLogDestination.StandardError;
            case "stdout":
                return ConsoleLogDestination.StandardOutput;
            case "off":
                return ConsoleLogDestination.Off;
            default:
                // A typo must not silence the logs or stop the process: say so once, where the logs go by default.
                Console.Error.WriteLine($"warn: {RillLogging.ConsoleVariable}='{value}' is not stderr, stdout or off; logging to stderr.");
                return ConsoleLogDestination.StandardError;
        }
    }
}
