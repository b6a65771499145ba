using Rill.Api;
using Rill.Metrics;
using Rill.Network;
using Rill.Operators;
using Rill.Serialization;
using Rill.Tasks;

namespace Rill.Graph;

/// <summary>
/// The record type of a stream, carried through the type-erased graph so the task can build typed outputs,
/// writers and inputs for each edge without reflection on the hot path.
/// </summary>
public abstract class StreamType
{
    public abstract Type ClrType { get; }

    internal abstract object CreateChainingOutput(object nextInput, string nextOperatorName);

    internal abstract object CreateRecordWriterOutput(ResultPartition partition, StreamPartitioner partitioner, int subtaskIndex, TaskIOMetrics metrics, CancellationToken cancellation);

    internal abstract object CreateBroadcastingOutput(IReadOnlyList<object> outputs);

    internal abstract object CreateDiscardingOutput();

    /// <summary>Wraps an output of this (side) type so it can sit among the outputs of an operator whose main type is <paramref name="mainType"/>.</summary>
    internal abstract object CreateSideOutputRouter(StreamType mainType, OutputTag tag, object sideOutput);

    internal abstract IStreamTaskInput CreateNetworkInput(InputGate gate, object head, string headName, TaskIOMetrics metrics);

    internal abstract StreamPartitioner CreateForwardPartitioner();

    internal abstract StreamPartitioner CreateRebalancePartitioner();

    public override string ToString() => ClrType.Name;
}

public sealed class StreamType<T> : StreamType
{
    public static readonly StreamType<T> Instance = new();

    private StreamType()
    {
    }

    public override Type ClrType => typeof(T);

    internal override object CreateChainingOutput(object nextInput, string nextOperatorName) =>
        new ChainingOutput<T>((IInput<T>)nextInput, nextOperatorName);

    internal override object CreateRecordWriterOutput(ResultPartition partition, StreamPartitioner partitioner, int subtaskIndex, TaskIOMetrics metrics, CancellationToken cancellation) =>
        new RecordWriterOutput<T>(
            new RecordWriter<T>(partition, TypeSerializers.For<T>(), (StreamPartitioner<T>)partitioner.Copy(), subtaskIndex, metrics, cancellation),
            metrics);

    internal override object CreateBroadcastingOutput(IReadOnlyList<object> outputs) =>
        outputs.Count == 1 ? outputs[0] : new BroadcastingOutput<T>(outputs.Cast<IOutput<T>>().ToArray());

    internal override object CreateDiscardingOutput() => DiscardingOutput<T>.Instance;

    internal override object CreateSideOutputRouter(StreamType mainType, OutputTag tag, object sideOutput) =>
        Activator.CreateInstance(typeof(SideOutputRouter<,>).MakeGenericType(mainType.ClrType, typeof(T)), tag, sideOutput)!;

    internal override IStreamTaskInput CreateNetworkInput(InputGate gate, object head, string headName, TaskIOMetrics metrics) =>
        new StreamTaskNetworkInput<T>(gate, (IInput<T>)head, headName, TypeSerializers.For<T>(), metrics);

    internal override StreamPartitioner CreateForwardPartitioner() => new ForwardPartitioner<T>();

    internal override StreamPartitioner CreateRebalancePartitioner() => new RebalancePartitioner<T>();
}
