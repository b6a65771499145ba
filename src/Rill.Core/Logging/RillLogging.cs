using Microsoft.Extensions.Logging;

namespace Rill.Logging;

/// <summary>
/// Where Rill's runtime, engine and connectors log (what SLF4J's LoggerFactory is to Flink): one process-wide
/// <see cref="ILoggerFactory"/>. Until the host supplies its own (Rill.ServiceDefaults does, to export over
/// OpenTelemetry), it is Rill's console logger: one line per message on stderr, or where <c>RILL_CONSOLE_LOG</c> says
/// (<c>stderr</c>, <c>stdout</c> or <c>off</c>), so a program's results on stdout stay clean.
/// </summary>
/// <remarks>
/// Loggers from <see cref="CreateLogger(string)"/> follow the factory: one taken before the host set its factory (a static
/// field, a component built early) logs into the host's factory from then on.
/// </remarks>
public static class RillLogging
{
    public const string ConsoleVariable = "RILL_CONSOLE_LOG";

    // Read once: every console provider of the process (the default, a host's, each of Rill's servers') writes to the
    // same place, and a bad value is named once.
    private static readonly Lazy<ConsoleLogDestination> ConsoleDestination =
        new(() => ConsoleLogDestinations.Parse(Environment.GetEnvironmentVariable(ConsoleVariable)));

    private static readonly Lazy<ILoggerFactory> DefaultFactory = new(() => new ConsoleLoggerFactory(CreateConsoleProvider()));
    private static ILoggerFactory? _hostFactory;
    private static int _consoleMinimumLevel = (int)LogLevel.Information;

    /// <summary>The factory Rill logs through now: the host's, or the console default.</summary>
    public static ILoggerFactory LoggerFactory => Volatile.Read(ref _hostFactory) ?? DefaultFactory.Value;

    /// <summary>
    /// The host's factory, set once at its start, before or after Rill's components exist. Disposing the handle gives the
    /// console default back (a host that shuts its log export down must not leave Rill logging into it); it does not
    /// dispose <paramref name="factory"/>, which stays the host's.
    /// </summary>
    public static IDisposable Use(ILoggerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var previous = Interlocked.Exchange(ref _hostFactory, factory);
        return new Restore(factory, previous);
    }

    public static ILogger CreateLogger<T>() => CreateLogger(typeof(T));

    /// <summary>A logger whose category is the type's full name, as <c>ILogger&lt;T&gt;</c> names it (no generic arguments).</summary>
    public static ILogger CreateLogger(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return CreateLogger(CategoryName(type));
    }

    public static ILogger CreateLogger(string categoryName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(categoryName);
        return new FollowingLogger(categoryName);
    }

    /// <summary>
    /// Rill's console logger as a provider, for a host that builds its own factory and wants Rill's lines on the console
    /// too: it honours <c>RILL_CONSOLE_LOG</c> like the default.
    /// </summary>
    public static ILoggerProvider CreateConsoleProvider() => new ConsoleLineLoggerProvider(ConsoleDestination.Value);

    /// <summary>
    /// The least level the console shows: Information, except in a program that runs its job embedded, whose console is
    /// the program's own (its results, its messages): there only warnings and errors (see EmbeddedExecutor).
    /// </summary>
    internal static LogLevel ConsoleMinimumLevel
    {
        get => (LogLevel)Volatile.Read(ref _consoleMinimumLevel);
        set => Volatile.Write(ref _consoleMinimumLevel, (int)value);
    }

    internal static string CategoryName(Type type)
    {
        var name = (type.IsGenericType ? type.GetGenericTypeDefinition() : type).FullName ?? type.Name;
        var arity = name.IndexOf('`', StringComparison.Ordinal);
        return (arity < 0 ? name : name[..arity]).Replace('+', '.');
    }

    private sealed class Restore(ILoggerFactory factory, ILoggerFactory? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                // Only if no one replaced it since: a later host's factory stays.
                Interlocked.CompareExchange(ref _hostFactory, previous, factory);
            }
        }
    }
}
