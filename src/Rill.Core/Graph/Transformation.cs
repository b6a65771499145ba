using Rill.Api;
using Rill.Network;
using Rill.Operators;
using Rill.Sources;

namespace Rill.Graph;

/// <summary>
/// One step of the user's program as written (Flink's Transformation). Ids come from creation order, so the
/// same program always yields the same graph and the same operator ids.
/// </summary>
public abstract class Transformation
{
    protected Transformation(int id, string name, StreamType outputType)
    {
        Id = id;
        Name = name;
        OutputType = outputType;
    }

    public int Id { get; }

    public string Name { get; internal set; }

    public string? Uid { get; internal set; }

    /// <summary>-1 means "use the environment's default".</summary>
    public int Parallelism { get; internal set; } = -1;

    public int MaxParallelism { get; internal set; } = -1;

    public bool ChainingEnabled { get; internal set; } = true;

    public StreamType OutputType { get; }

    public abstract IReadOnlyList<Transformation> Inputs { get; }
}

/// <summary>Creates one fresh operator per subtask, so no two subtasks share operator or function state.</summary>
public delegate StreamOperator OperatorFactory();

public sealed class SourceTransformation(int id, string name, StreamType outputType, ISourceDescriptor source) : Transformation(id, name, outputType)
{
    public ISourceDescriptor Source { get; } = source;

    public override IReadOnlyList<Transformation> Inputs => [];
}

public sealed class OneInputTransformation(int id, string name, Transformation input, StreamType outputType, OperatorFactory factory, bool isSink = false)
    : Transformation(id, name, outputType)
{
    public Transformation Input { get; } = input;

    public OperatorFactory Factory { get; } = factory;

    public bool IsSink { get; } = isSink;

    public override IReadOnlyList<Transformation> Inputs => [Input];
}

/// <summary>A virtual step: records flow on with a different partitioning (keyBy, rebalance, broadcast, ...).</summary>
public sealed class PartitionTransformation(int id, Transformation input, StreamPartitioner partitioner)
    : Transformation(id, "Partition", input.OutputType)
{
    public Transformation Input { get; } = input;

    /// <summary>A <c>StreamPartitioner&lt;T&gt;</c> of this stream's type; copied for each edge.</summary>
    public StreamPartitioner Partitioner { get; } = partitioner;

    public override IReadOnlyList<Transformation> Inputs => [Input];
}

public sealed class UnionTransformation(int id, IReadOnlyList<Transformation> inputs) : Transformation(id, "Union", inputs[0].OutputType)
{
    public override IReadOnlyList<Transformation> Inputs { get; } = inputs;
}

public sealed class SideOutputTransformation(int id, Transformation input, OutputTag tag) : Transformation(id, $"SideOutput({tag.Id})", tag.StreamType)
{
    public Transformation Input { get; } = input;

    public OutputTag Tag { get; } = tag;

    public override IReadOnlyList<Transformation> Inputs => [Input];
}
