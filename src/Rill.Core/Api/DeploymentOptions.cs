using System.Globalization;

namespace Rill.Api;

/// <summary>
/// Where a program's job runs (Flink as a library): embedded in this process by default; with <see cref="Cluster"/>
/// (HA services, e.g. <c>redis://host:6379</c>) or a static <see cref="Role"/>, the same program started several
/// times forms one distributed cluster. Read from the command line (<see cref="Read"/>) or from <c>RILL_*</c>
/// environment variables, so launchers (Aspire, Kubernetes) can set them without touching the program's arguments.
/// </summary>
public sealed record DeploymentOptions
{
    /// <summary>The option names <see cref="Read"/> understands, for programs that reject unknown options.</summary>
    public static readonly string[] Keys = ["cluster", "cluster-id", "role", "jobmanager", "slots", "bind-address", "advertised-address", "auth-token", "heartbeat-timeout", "restart-strategy", "from-savepoint", "allow-non-restored-state", "state-backend", "scheduler-mode", "resource-stabilization-timeout", "min-rescale-interval", "health-port"];

    /// <summary>HA services URL (<c>redis://host:port</c>): the processes elect a JobManager leader among themselves.</summary>
    public string? Cluster { get; init; }

    /// <summary>Namespaces a cluster's HA data, so several clusters can share one Redis.</summary>
    public string ClusterId { get; init; } = "default";

    /// <summary>Static roles without HA: <c>jobmanager</c> (JobManager plus a TaskManager) or <c>taskmanager</c>.</summary>
    public string? Role { get; init; }

    /// <summary>The JobManager's REST URL, for the <c>taskmanager</c> role.</summary>
    public Uri? JobManager { get; init; }

    /// <summary>Slots this process's TaskManager offers (Flink's taskmanager.numberOfTaskSlots); 0 runs none.</summary>
    public int Slots { get; init; } = 2;

    public string? BindAddress { get; init; }

    public string? AdvertisedAddress { get; init; }

    /// <summary>The REST bearer token (needed when REST binds beyond loopback).</summary>
    public string? AuthToken { get; init; }

    public TimeSpan? HeartbeatTimeout { get; init; }

    /// <summary>How the JobManager restarts a failed job (<c>none</c>, <c>fixed-delay:10:1</c>, <c>failure-rate:3:60:1</c>); checked by the runtime.</summary>
    public string? RestartStrategy { get; init; }

    /// <summary>Start the job from this savepoint (or retained checkpoint) directory.</summary>
    public string? FromSavepoint { get; init; }

    /// <summary>With <see cref="FromSavepoint"/>: drop state of operators the program no longer has.</summary>
    public bool AllowNonRestoredState { get; init; }

    /// <summary><c>reactive</c>: the job uses every slot there is and rescales when TaskManagers come and go (Flink's reactive mode).</summary>
    public string? SchedulerMode { get; init; }

    public bool IsReactive => SchedulerMode == "reactive";

    /// <summary>Reactive mode: seconds the slots must stay unchanged before the job (re)starts on them.</summary>
    public TimeSpan? ResourceStabilizationTimeout { get; init; }

    /// <summary>Reactive mode: minimum seconds between two rescales up.</summary>
    public TimeSpan? MinRescaleInterval { get; init; }

    /// <summary>The job's keyed state backend (<c>heap</c> or <c>rocksdb</c>) unless the program sets one.</summary>
    public string? StateBackend { get; init; }

    /// <summary>
    /// A port serving only <c>/health</c> and <c>/alive</c> over HTTP/1.1 (on the bind address), for probes of processes
    /// without a REST server (TaskManagers); the JobManager's REST port serves them too.
    /// </summary>
    public int? HealthPort { get; init; }

    public bool IsDistributed => Cluster is not null || Role is not null;

    public static DeploymentOptions FromEnvironmentVariables() => Parse(key => Environment.GetEnvironmentVariable("RILL_" + key.ToUpperInvariant().Replace('-', '_')), new DeploymentOptions());

    /// <summary>Reads the options from the command line; what it leaves out keeps its environment-variable value.</summary>
    public static DeploymentOptions Read(ParameterTool parameters) =>
        Parse(key => key == "allow-non-restored-state" ? (parameters.Has(key) ? parameters.GetFlag(key).ToString() : null) : parameters.Get(key), FromEnvironmentVariables());

    private static DeploymentOptions Parse(Func<string, string?> get, DeploymentOptions defaults)
    {
        var role = get("role");
        if (role is not (null or "jobmanager" or "taskmanager"))
        {
            throw new ArgumentException($"Option --role must be 'jobmanager' or 'taskmanager', got '{role}'.");
        }

        var options = defaults with
        {
            Cluster = NonEmpty(get, "cluster") ?? defaults.Cluster,
            ClusterId = NonEmpty(get, "cluster-id") ?? defaults.ClusterId,
            Role = role ?? defaults.Role,
            JobManager = NonEmpty(get, "jobmanager") is { } url ? ParseUrl(url) : defaults.JobManager,
            Slots = get("slots") is { } slots ? ParseSlots(slots) : defaults.Slots,
            BindAddress = NonEmpty(get, "bind-address") ?? defaults.BindAddress,
            AdvertisedAddress = NonEmpty(get, "advertised-address") ?? defaults.AdvertisedAddress,
            AuthToken = NonEmpty(get, "auth-token") ?? defaults.AuthToken,
            HeartbeatTimeout = get("heartbeat-timeout") is { } timeout ? ParseSeconds(timeout, "heartbeat-timeout") : defaults.HeartbeatTimeout,
            RestartStrategy = NonEmpty(get, "restart-strategy") ?? defaults.RestartStrategy,
            FromSavepoint = NonEmpty(get, "from-savepoint") ?? defaults.FromSavepoint,
            StateBackend = NonEmpty(get, "state-backend") ?? defaults.StateBackend,
            SchedulerMode = NonEmpty(get, "scheduler-mode") is { } mode
                ? mode is "reactive" or "default" ? mode : throw new ArgumentException($"Option --scheduler-mode must be 'reactive' or 'default', got '{mode}'.")
                : defaults.SchedulerMode,
            ResourceStabilizationTimeout = get("resource-stabilization-timeout") is { } stabilization
                ? ParseSeconds(stabilization, "resource-stabilization-timeout", allowZero: true) : defaults.ResourceStabilizationTimeout,
            MinRescaleInterval = get("min-rescale-interval") is { } interval ? ParseSeconds(interval, "min-rescale-interval", allowZero: true) : defaults.MinRescaleInterval,
            HealthPort = get("health-port") is { } healthPort ? ParsePort(healthPort, "health-port") : defaults.HealthPort,
            AllowNonRestoredState = get("allow-non-restored-state") is { } allow ? string.Equals(allow, "true", StringComparison.OrdinalIgnoreCase) : defaults.AllowNonRestoredState,
        };
        if (options.RestartStrategy is { } restart
            && !System.Text.RegularExpressions.Regex.IsMatch(restart, @"^(none|fixed-delay:[1-9][0-9]*:[0-9]+(\.[0-9]+)?|failure-rate:[1-9][0-9]*:[0-9]+(\.[0-9]+)?:[0-9]+(\.[0-9]+)?)$"))
        {
            throw new ArgumentException($"Option --restart-strategy must be none, fixed-delay:ATTEMPTS:DELAY_S or failure-rate:MAX_FAILURES:INTERVAL_S:DELAY_S, got '{restart}'.");
        }

        if (options.Cluster is not null && !options.Cluster.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Option --cluster must be a redis:// URL, got '{options.Cluster}'.");
        }

        if (options.Role == "taskmanager" && options.JobManager is null && options.Cluster is null)
        {
            throw new ArgumentException("The taskmanager role needs --jobmanager URL (the JobManager's REST address) or --cluster.");
        }

        return options;
    }

    private static string? NonEmpty(Func<string, string?> get, string key) =>
        get(key) is { } value && value.Length == 0 ? throw new ArgumentException($"Option --{key} needs a non-empty value.") : get(key);

    private static Uri ParseUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"Option --jobmanager needs an http:// URL such as http://localhost:8081, got '{value}'.");

    private static int ParseSlots(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var slots) && slots >= 0
            ? slots
            : throw new ArgumentException($"Option --slots needs a whole number of at least 0, got '{value}'.");

    private static int ParsePort(string value, string key) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new ArgumentException($"Option --{key} needs a port number from 0 to 65535 (0: any free port), got '{value}'.");

    private static TimeSpan ParseSeconds(string value, string key, bool allowZero = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && (seconds > 0 || (allowZero && seconds == 0))
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"Option --{key} needs a number of seconds {(allowZero ? "of at least 0" : "above 0")}, got '{value}'.");
}
