using Rill.EventTime;
using Rill.Operators;

namespace Rill.Sources;

/// <summary>A source as the graph sees it, with its types erased: how to build its operator and its coordinator.</summary>
public interface ISourceDescriptor
{
    Boundedness Boundedness { get; }

    int? MaxReaderParallelism { get; }

    StreamOperator CreateOperator();

    /// <summary>Creates the coordinator, fresh or (with <paramref name="checkpoint"/>) from what a checkpoint holds of it.</summary>
    IOperatorCoordinator CreateCoordinator(int parallelism, IOperatorCoordinatorContext context, byte[]? checkpoint = null);
}

internal sealed class SourceDescriptor<T, TSplit>(ISource<T, TSplit> source, WatermarkStrategy<T> watermarks) : ISourceDescriptor
    where TSplit : ISourceSplit
{
    public Boundedness Boundedness => source.Boundedness;

    public int? MaxReaderParallelism => source.MaxParallelism;

    public StreamOperator CreateOperator() => new SourceOperator<T, TSplit>(source, watermarks);

    public IOperatorCoordinator CreateCoordinator(int parallelism, IOperatorCoordinatorContext context, byte[]? checkpoint = null) =>
        checkpoint is null
            ? new SourceCoordinator<TSplit>(source.CreateEnumerator, parallelism, context)
            : new SourceCoordinator<TSplit>(c => source.RestoreEnumerator(c, SourceCoordinator<TSplit>.DeserializeSplits(checkpoint)), parallelism, context);
}
