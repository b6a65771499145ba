using Rill.EventTime;
using Rill.Functions;
using Rill.Graph;
using Rill.Network;
using Rill.Operators;
using Rill.Sinks;

namespace Rill.Api;

/// <summary>A stream of records of type <typeparamref name="T"/> and the transformations that can be applied to it.</summary>
public class DataStream<T>
{
    internal DataStream(StreamExecutionEnvironment environment, Transformation transformation)
    {
        Environment = environment;
        Transformation = transformation;
    }

    public StreamExecutionEnvironment Environment { get; }

    public Transformation Transformation { get; }

    // Operator settings (Flink's SingleOutputStreamOperator); they apply to the step that produced this stream.

    public DataStream<T> Name(string name)
    {
        Transformation.Name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A name must not be empty.", nameof(name)) : name;
        return this;
    }

    /// <summary>A stable operator id, so state maps to this operator even when the program changes around it.</summary>
    public DataStream<T> Uid(string uid)
    {
        RequirePhysical(nameof(Uid));
        Transformation.Uid = string.IsNullOrWhiteSpace(uid) ? throw new ArgumentException("A uid must not be empty.", nameof(uid)) : uid;
        return this;
    }

    public DataStream<T> SetParallelism(int parallelism)
    {
        RequirePhysical(nameof(SetParallelism));
        Transformation.Parallelism = parallelism >= 1 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Parallelism must be at least 1.");
        return this;
    }

    public DataStream<T> SetMaxParallelism(int maxParallelism)
    {
        RequirePhysical(nameof(SetMaxParallelism));
        Transformation.MaxParallelism = maxParallelism >= 1 ? maxParallelism : throw new ArgumentOutOfRangeException(nameof(maxParallelism));
        return this;
    }

    /// <summary>Keeps this operator out of any chain: it gets its own task and thread.</summary>
    public DataStream<T> DisableChaining()
    {
        RequirePhysical(nameof(DisableChaining));
        Transformation.ChainingEnabled = false;
        return this;
    }

    private void RequirePhysical(string setting)
    {
        if (Transformation is PartitionTransformation or UnionTransformation or SideOutputTransformation)
        {
            throw new InvalidOperationException($"{setting} applies to operators, not to a partitioning, union or side output.");
        }
    }

    // Transformations.

    /// <summary>
    /// Null on a plain stream. A keyed stream returns a fresh key context per subtask, so Map, Filter, FlatMap and
    /// Process functions after KeyBy can use keyed state, as in Flink.
    /// </summary>
    private protected virtual KeyContext<T>? CreateKeyContext() => null;

    public DataStream<TOut> Map<TOut>(Func<T, TOut> mapper) => Transform<TOut>("Map", () => new MapOperator<T, TOut>(mapper, mapper, CreateKeyContext()));

    public DataStream<TOut> Map<TOut>(IMapFunction<T, TOut> function) =>
        Transform<TOut>("Map", () =>
        {
            var copy = FunctionCloner.Clone(function);
            return new MapOperator<T, TOut>(copy.Map, copy, CreateKeyContext());
        });

    public DataStream<T> Filter(Func<T, bool> predicate) => Transform<T>("Filter", () => new FilterOperator<T>(predicate, predicate, CreateKeyContext()));

    public DataStream<T> Filter(IFilterFunction<T> function) =>
        Transform<T>("Filter", () =>
        {
            var copy = FunctionCloner.Clone(function);
            return new FilterOperator<T>(copy.Filter, copy, CreateKeyContext());
        });

    public DataStream<TOut> FlatMap<TOut>(Action<T, ICollector<TOut>> flatMapper) =>
        Transform<TOut>("FlatMap", () => new FlatMapOperator<T, TOut>(flatMapper, flatMapper, CreateKeyContext()));

    public DataStream<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> flatMapper) =>
        FlatMap<TOut>((value, output) =>
        {
            foreach (var item in flatMapper(value))
            {
                output.Collect(item);
            }
        });

    public DataStream<TOut> FlatMap<TOut>(IFlatMapFunction<T, TOut> function) =>
        Transform<TOut>("FlatMap", () =>
        {
            var copy = FunctionCloner.Clone(function);
            return new FlatMapOperator<T, TOut>(copy.FlatMap, copy, CreateKeyContext());
        });

    public DataStream<TOut> Process<TOut>(ProcessFunction<T, TOut> function) =>
        Transform<TOut>("Process", () => new ProcessOperator<T, TOut>(FunctionCloner.Clone(function), CreateKeyContext()));

    public DataStream<T> AssignTimestampsAndWatermarks(WatermarkStrategy<T> strategy) =>
        Transform<T>("Timestamps/Watermarks", () => new TimestampsAndWatermarksOperator<T>(strategy));

    /// <summary>Adds a custom operator; <paramref name="factory"/> is called once per subtask.</summary>
    public DataStream<TOut> Transform<TOut>(string name, OperatorFactory factory)
    {
        var transformation = new OneInputTransformation(Environment.NextId(), name, Transformation, StreamType<TOut>.Instance, factory);
        return new DataStream<TOut>(Environment, transformation);
    }

    // Partitioning.

    /// <summary>Partitions by key: equal keys go to the same subtask, by key group (Flink's KeyGroupRangeAssignment).</summary>
    public KeyedStream<T, TKey> KeyBy<TKey>(Func<T, TKey> keySelector) where TKey : notnull =>
        new(Environment, new PartitionTransformation(Environment.NextId(), Transformation, new KeyGroupStreamPartitioner<T, TKey>(keySelector)), keySelector);

    public KeyedStream<T, TKey> KeyBy<TKey>(IKeySelector<T, TKey> keySelector) where TKey : notnull => KeyBy<TKey>(keySelector.GetKey);

    public DataStream<T> Rebalance() => Partition(new RebalancePartitioner<T>());

    public DataStream<T> Broadcast() => Partition(new BroadcastPartitioner<T>());

    /// <summary>All records to the first subtask of the next operator.</summary>
    public DataStream<T> Global() => Partition(new GlobalPartitioner<T>());

    public DataStream<T> Forward() => Partition(new ForwardPartitioner<T>());

    private DataStream<T> Partition(StreamPartitioner<T> partitioner) =>
        new(Environment, new PartitionTransformation(Environment.NextId(), Transformation, partitioner));

    public DataStream<T> Union(params DataStream<T>[] others)
    {
        if (others.Any(o => o.Environment != Environment))
        {
            throw new ArgumentException("Only streams of the same environment can be united.");
        }

        return new(Environment, new UnionTransformation(Environment.NextId(), [Transformation, .. others.Select(o => o.Transformation)]));
    }

    public DataStream<TSide> GetSideOutput<TSide>(OutputTag<TSide> tag) =>
        new(Environment, new SideOutputTransformation(Environment.NextId(), Transformation, tag));

    // Sinks.

    public DataStreamSink<T> SinkTo(ISink<T> sink, string name = "Sink")
    {
        var transformation = new OneInputTransformation(Environment.NextId(), name, Transformation, StreamType<T>.Instance,
            () => new SinkOperator<T>(FunctionCloner.Clone(sink)), isSink: true);
        Environment.AddSink(transformation);
        return new DataStreamSink<T>(transformation);
    }

    /// <summary>Each record's text on standard output, prefixed "N&gt; " by subtask when parallelism is above 1 (as Flink).</summary>
    public DataStreamSink<T> Print() => SinkTo(new PrintSink<T>(), "Print to Std. Out");

    public DataStreamSink<T> PrintToErr() => SinkTo(new PrintSink<T>(toStandardError: true), "Print to Std. Err");

    /// <summary>Writes records as lines into part files under <paramref name="directory"/>.</summary>
    public DataStreamSink<T> WriteAsText(string directory, Func<T, string>? format = null) => SinkTo(new FileSink<T>(directory, format), "File Sink");

    /// <summary>Runs the job embedded and returns every record that reached this point. For tests and exploration.</summary>
    public async Task<IReadOnlyList<T>> ExecuteAndCollectAsync(string jobName = "Collect Job", CancellationToken cancellation = default)
    {
        var sink = new CollectSink<T>();
        SinkTo(sink, "Collect Sink");
        await Environment.ExecuteAsync(jobName, cancellation).ConfigureAwait(false);
        return sink.Values;
    }
}

/// <summary>The end of a pipeline; settings apply to the sink operator.</summary>
public sealed class DataStreamSink<T>
{
    internal DataStreamSink(Transformation transformation) => Transformation = transformation;

    public Transformation Transformation { get; }

    public DataStreamSink<T> Name(string name)
    {
        Transformation.Name = name;
        return this;
    }

    public DataStreamSink<T> Uid(string uid)
    {
        Transformation.Uid = uid;
        return this;
    }

    public DataStreamSink<T> SetParallelism(int parallelism)
    {
        Transformation.Parallelism = parallelism >= 1 ? parallelism : throw new ArgumentOutOfRangeException(nameof(parallelism), "Parallelism must be at least 1.");
        return this;
    }

    public DataStreamSink<T> DisableChaining()
    {
        Transformation.ChainingEnabled = false;
        return this;
    }
}
