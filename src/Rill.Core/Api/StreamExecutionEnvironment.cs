using Rill.Checkpointing;
using Rill.EventTime;
using Rill.Executors;
using Rill.Graph;
using Rill.Network;
using Rill.Sources;

namespace Rill.Api;

/// <summary>
/// Where a program defines its streams and starts the job (Flink's StreamExecutionEnvironment). Without a
/// cluster configured, <see cref="ExecuteAsync"/> runs the job in an embedded mini cluster in this process.
/// </summary>
public sealed class StreamExecutionEnvironment
{
    private readonly List<Transformation> _sinks = [];
    private int _nextId;
    private int _explicitParallelism = -1;

    private StreamExecutionEnvironment()
    {
    }

    /// <summary>The environment for this program; parallelism falls back to the launcher's default, then to the CPU count.</summary>
    public static StreamExecutionEnvironment GetExecutionEnvironment() => new();

    /// <summary>
    /// The parallelism a launcher (CLI, cluster entry point) asks for when the program sets none. Read from
    /// <c>RILL_PARALLELISM</c> unless set here.
    /// </summary>
    public static int? LauncherDefaultParallelism { get; set; } = ReadLauncherParallelism();

    public ExecutionOptions Options { get; private set; } = new();

    /// <summary>Network sizes of the embedded mini cluster (buffer size, buffers per channel, timeout).</summary>
    public NetworkConfig NetworkConfig { get; set; } = NetworkConfig.Default;

    /// <summary>The REST port for the embedded cluster (or this process's JobManager); null serves no REST API embedded.</summary>
    public int? RestPort { get; set; }

    /// <summary>Embedded (the default), or one of the processes of a distributed cluster; see <see cref="DeploymentOptions"/>.</summary>
    public DeploymentOptions Deployment { get; set; } = DeploymentOptions.FromEnvironmentVariables();

    /// <summary>Explicit value, else the launcher's, else <see cref="Environment.ProcessorCount"/>.</summary>
    public int Parallelism => _explicitParallelism > 0 ? _explicitParallelism : ScopedDefaultParallelism.Value ?? LauncherDefaultParallelism ?? Environment.ProcessorCount;

    /// <summary>A cluster planning a program asks for this default parallelism for that program's flow only.</summary>
    internal static readonly AsyncLocal<int?> ScopedDefaultParallelism = new();

    /// <summary>
    /// In reactive mode operators without a parallelism of their own start at their max parallelism (as in Flink): the
    /// scheduler lowers it to the slots there are, and operators stay apart where a fixed parallelism would chain them.
    /// </summary>
    internal int EffectiveParallelism => Deployment.IsReactive ? DefaultMaxParallelism(Parallelism) : Parallelism;

    /// <summary>An operator's max parallelism when neither it nor the environment sets one; 128 in reactive mode, whatever the slots.</summary>
    internal int DefaultMaxParallelism(int parallelism) =>
        MaxParallelism > 0 ? MaxParallelism : Deployment.IsReactive ? ReactiveDefaultMaxParallelism : State.KeyGroupRangeAssignment.ComputeDefaultMaxParallelism(parallelism);

    /// <summary>Max parallelism of a reactive job that sets none: the most subtasks it can ever rescale to, and its key groups.</summary>
    internal const int ReactiveDefaultMaxParallelism = 128;

    /// <summary>-1 until set: each operator then derives Flink's default from its parallelism.</summary>
    public int MaxParallelism { get; private set; } = -1;

    public StreamExecutionEnvironment SetParallelism(int parallelism)
    {
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Parallelism must be at least 1.");
        }

        _explicitParallelism = parallelism;
        return this;
    }

    public StreamExecutionEnvironment SetMaxParallelism(int maxParallelism)
    {
        if (maxParallelism < 1 || maxParallelism > State.KeyGroupRangeAssignment.UpperBoundMaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, "Max parallelism must be in [1, 32768].");
        }

        MaxParallelism = maxParallelism;
        return this;
    }

    public StreamExecutionEnvironment SetRuntimeMode(RuntimeExecutionMode mode)
    {
        Options = Options with { RuntimeMode = mode };
        return this;
    }

    public StreamExecutionEnvironment SetAutoWatermarkInterval(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "The watermark interval must be positive.");
        }

        Options = Options with { AutoWatermarkInterval = interval };
        return this;
    }

    /// <summary>Checkpoints every <paramref name="interval"/> (Flink's enableCheckpointing); the job then runs in STREAMING mode.</summary>
    public StreamExecutionEnvironment EnableCheckpointing(TimeSpan interval, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
    {
        var config = Options.Checkpointing with { Interval = interval, Mode = mode };
        config.Validate();
        Options = Options with { Checkpointing = config };
        return this;
    }

    /// <summary>Adjusts the checkpoint settings (timeout, pauses, storage directory, retained count…).</summary>
    public StreamExecutionEnvironment ConfigureCheckpointing(Func<CheckpointConfig, CheckpointConfig> configure)
    {
        var config = configure(Options.Checkpointing);
        config.Validate();
        Options = Options with { Checkpointing = config };
        return this;
    }

    /// <summary>
    /// Keeps keyed state in the named backend (<see cref="State.StateBackends.Heap"/>, the default, or
    /// <see cref="State.StateBackends.RocksDb"/>, which needs the Rill.StateBackend.RocksDb package); Flink's
    /// setStateBackend. <paramref name="localDirectory"/> is where an on-disk backend puts its working folders.
    /// </summary>
    public StreamExecutionEnvironment SetStateBackend(string name, string? localDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Options = Options with { StateBackend = Options.StateBackend with { Name = name, LocalDirectory = localDirectory ?? Options.StateBackend.LocalDirectory } };
        return this;
    }

    internal int NextId() => ++_nextId;

    internal void AddSink(Transformation sink) => _sinks.Add(sink);

    public DataStream<T> FromSource<T, TSplit>(ISource<T, TSplit> source, WatermarkStrategy<T> watermarkStrategy, string sourceName)
        where TSplit : ISourceSplit
    {
        var transformation = new SourceTransformation(NextId(), sourceName, StreamType<T>.Instance, new SourceDescriptor<T, TSplit>(source, watermarkStrategy));
        return new DataStream<T>(this, transformation);
    }

    public DataStream<T> FromCollection<T>(IEnumerable<T> elements, string name = "Collection Source") =>
        FromSource(new CollectionSource<T>(elements as IReadOnlyList<T> ?? elements.ToArray()), WatermarkStrategy<T>.NoWatermarks(), name);

    public DataStream<T> FromElements<T>(params T[] elements) => FromCollection(elements, "Elements Source");

    /// <summary>The numbers from <paramref name="from"/> to <paramref name="to"/>, both inclusive (Flink's fromSequence).</summary>
    public DataStream<long> FromSequence(long from, long to)
    {
        if (to < from)
        {
            throw new ArgumentException($"Sequence end {to} is before its start {from}.");
        }

        return FromSource(new DataGeneratorSource<long>(i => from + i, to - from + 1), WatermarkStrategy<long>.NoWatermarks(), "Sequence Source");
    }

    /// <summary>Lines of a UTF-8 text file with their 1-based line numbers (for error messages that point at the input).</summary>
    /// <remarks>With <paramref name="follow"/> the stream is unbounded: lines appended to the file keep coming (as <c>tail -f</c>).</remarks>
    public DataStream<TextLine> ReadTextLines(string path, bool follow = false) =>
        FromSource(new TextFileSource(path, follow), WatermarkStrategy<TextLine>.NoWatermarks(), $"File Source ({path})");

    public DataStream<string> ReadTextFile(string path) => ReadTextLines(path).Map(line => line.Text).Name("Line Text");

    /// <summary>Resolves AUTOMATIC: BATCH when every source reachable from a sink is bounded.</summary>
    internal RuntimeExecutionMode ResolveRuntimeMode()
    {
        if (Options.Checkpointing.IsEnabled)
        {
            // BATCH recovers by re-running stages, not from checkpoints (as in Flink, checkpoints are a STREAMING feature).
            return Options.RuntimeMode == RuntimeExecutionMode.Batch
                ? throw new InvalidOperationException("Checkpointing needs STREAMING mode; this job is set to BATCH.")
                : RuntimeExecutionMode.Streaming;
        }

        if (Options.RuntimeMode != RuntimeExecutionMode.Automatic)
        {
            if (Options.RuntimeMode == RuntimeExecutionMode.Batch && Sources().Any(s => s.Source.Boundedness != Boundedness.Bounded))
            {
                throw new InvalidOperationException("BATCH mode needs bounded sources; this job reads an unbounded source.");
            }

            return Options.RuntimeMode;
        }

        return Sources().All(s => s.Source.Boundedness == Boundedness.Bounded) ? RuntimeExecutionMode.Batch : RuntimeExecutionMode.Streaming;
    }

    private IEnumerable<SourceTransformation> Sources()
    {
        var seen = new HashSet<int>();
        var stack = new Stack<Transformation>(_sinks);
        while (stack.TryPop(out var t))
        {
            if (!seen.Add(t.Id))
            {
                continue;
            }

            if (t is SourceTransformation source)
            {
                yield return source;
            }

            foreach (var input in t.Inputs)
            {
                stack.Push(input);
            }
        }
    }

    public StreamGraph GetStreamGraph(string jobName = "Rill Job")
    {
        if (_sinks.Count == 0)
        {
            throw new InvalidOperationException("No sinks defined: add a sink (SinkTo, Print, ...) before executing.");
        }

        if (Deployment.IsReactive)
        {
            Options = Options with
            {
                Reactive = new ReactiveModeOptions
                {
                    ResourceStabilizationTimeout = Deployment.ResourceStabilizationTimeout ?? new ReactiveModeOptions().ResourceStabilizationTimeout,
                    MinRescaleInterval = Deployment.MinRescaleInterval ?? new ReactiveModeOptions().MinRescaleInterval,
                },
            };
        }

        // The program's choice wins over the launcher's; the factory is found now (see StateBackendConfig.Factory).
        var stateBackend = Options.StateBackend with { Name = Options.StateBackend.Name ?? Deployment.StateBackend };
        Options = Options with { StateBackend = stateBackend with { Factory = State.StateBackendLoader.Load(stateBackend.EffectiveName) } };

        if (Deployment.FromSavepoint is { } savepoint)
        {
            Options = Options with { SavepointRestore = new SavepointRestoreSettings(savepoint, Deployment.AllowNonRestoredState) };
        }

        return new StreamGraphGenerator(this).Generate(jobName, _sinks);
    }

    public JobGraph GetJobGraph(string jobName = "Rill Job") => JobGraphGenerator.Create(GetStreamGraph(jobName));

    /// <summary>Runs the job and waits for it to end. A failed job throws <see cref="JobExecutionException"/>.</summary>
    public Task<JobExecutionResult> ExecuteAsync(string jobName = "Rill Job", CancellationToken cancellation = default)
    {
        var graph = GetStreamGraph(jobName);
        return PipelineExecutorServiceLoader.Create(this).ExecuteAsync(graph, cancellation);
    }

    public JobExecutionResult Execute(string jobName = "Rill Job") => ExecuteAsync(jobName).GetAwaiter().GetResult();

    private static int? ReadLauncherParallelism()
    {
        var text = Environment.GetEnvironmentVariable("RILL_PARALLELISM");
        return int.TryParse(text, out var value) && value > 0 ? value : null;
    }
}
