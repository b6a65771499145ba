using Rill.Api;
using Rill.Network;
using Rill.Sources;

namespace Rill.Graph;

/// <summary>An operator of the program after virtual steps (partitioning, union, side outputs) became edge properties.</summary>
public sealed class StreamNode
{
    internal StreamNode(int id, string name, string operatorId, int parallelism, int maxParallelism, StreamType? inputType, StreamType outputType,
        OperatorFactory factory, ISourceDescriptor? source, bool chainingEnabled, bool isSink)
    {
        Id = id;
        Name = name;
        OperatorId = operatorId;
        Parallelism = parallelism;
        MaxParallelism = maxParallelism;
        InputType = inputType;
        OutputType = outputType;
        Factory = factory;
        Source = source;
        ChainingEnabled = chainingEnabled;
        IsSink = isSink;
    }

    public int Id { get; }

    public string Name { get; }

    /// <summary>Deterministic operator id (hex): from Uid when set, else from the node's position in the graph.</summary>
    public string OperatorId { get; }

    /// <summary>Set by the program; the adaptive scheduler changes it when it rescales the job (see <see cref="JobGraph.Rescale"/>).</summary>
    public int Parallelism { get; internal set; }

    public int MaxParallelism { get; }

    public StreamType? InputType { get; }

    public StreamType OutputType { get; }

    public OperatorFactory Factory { get; }

    public ISourceDescriptor? Source { get; }

    public bool ChainingEnabled { get; }

    public bool IsSink { get; }

    public List<StreamEdge> InEdges { get; } = [];

    public List<StreamEdge> OutEdges { get; } = [];

    public override string ToString() => $"{Name} (p={Parallelism})";
}

/// <summary>A connection between two operators: its record type, how records are partitioned and, for side outputs, the tag.</summary>
public sealed class StreamEdge(StreamNode source, StreamNode target, StreamPartitioner partitioner, OutputTag? sideOutputTag, StreamType type)
{
    public StreamNode Source { get; } = source;

    public StreamNode Target { get; } = target;

    /// <summary>A <c>StreamPartitioner&lt;T&gt;</c> for <see cref="Type"/>.</summary>
    public StreamPartitioner Partitioner { get; } = partitioner;

    public OutputTag? SideOutputTag { get; } = sideOutputTag;

    public StreamType Type { get; } = type;

    public override string ToString() => $"{Source.Name} -[{Partitioner.Name}]-> {Target.Name}";
}

/// <summary>The program as a graph of operators, before chaining.</summary>
public sealed class StreamGraph(string jobName, RuntimeExecutionMode mode, ExecutionOptions options)
{
    public string JobName { get; } = jobName;

    /// <summary>STREAMING or BATCH, already resolved from AUTOMATIC.</summary>
    public RuntimeExecutionMode RuntimeMode { get; } = mode;

    public ExecutionOptions Options { get; } = options;

    public List<StreamNode> Nodes { get; } = [];
}
