using System.Security.Cryptography;
using System.Text;
using Rill.Api;
using Rill.Network;
using Rill.State;

namespace Rill.Graph;

/// <summary>Turns the program's transformations into a stream graph: resolves parallelism and folds virtual steps into edges.</summary>
internal sealed class StreamGraphGenerator(StreamExecutionEnvironment environment)
{
    private readonly Dictionary<int, List<(StreamNode Node, StreamPartitioner? Partitioner, OutputTag? Tag)>> _resolved = [];
    private readonly Dictionary<int, StreamNode> _nodes = [];
    private readonly HashSet<string> _uids = new(StringComparer.Ordinal);

    public StreamGraph Generate(string jobName, IReadOnlyList<Transformation> sinks)
    {
        var mode = environment.ResolveRuntimeMode();
        var graph = new StreamGraph(jobName, mode, environment.Options with { RuntimeMode = mode });
        foreach (var transformation in sinks)
        {
            Transform(transformation);
        }

        graph.Nodes.AddRange(_nodes.Values.OrderBy(n => n.Id));
        return graph;
    }

    private List<(StreamNode Node, StreamPartitioner? Partitioner, OutputTag? Tag)> Transform(Transformation transformation)
    {
        if (_resolved.TryGetValue(transformation.Id, out var done))
        {
            return done;
        }

        List<(StreamNode, StreamPartitioner?, OutputTag?)> result;
        switch (transformation)
        {
            case PartitionTransformation partition:
                result = Transform(partition.Input).Select(u => (u.Node, (StreamPartitioner?)partition.Partitioner, u.Tag)).ToList();
                break;
            case UnionTransformation union:
                result = union.Inputs.SelectMany(Transform).ToList();
                break;
            case SideOutputTransformation side:
                result = Transform(side.Input).Select(u => (u.Node, u.Partitioner, (OutputTag?)side.Tag)).ToList();
                break;
            case SourceTransformation source:
                var sourceNode = AddNode(source, null, () => source.Source.CreateOperator(), source.Source, []);
                result = [(sourceNode, null, null)];
                break;
            case OneInputTransformation oneInput:
                var upstream = Transform(oneInput.Input);
                var node = AddNode(oneInput, oneInput.Input.OutputType, oneInput.Factory, null, upstream);
                foreach (var (up, partitioner, tag) in upstream)
                {
                    var edgePartitioner = partitioner?.Copy() ?? (up.Parallelism == node.Parallelism
                        ? node.InputType!.CreateForwardPartitioner()
                        : node.InputType!.CreateRebalancePartitioner());
                    if (edgePartitioner is IMaxParallelismAware keyed)
                    {
                        keyed.MaxParallelism = node.MaxParallelism;
                    }

                    if (edgePartitioner.IsPointwise && up.Parallelism != node.Parallelism)
                    {
                        throw new InvalidOperationException(
                            $"Forward partitioning needs equal parallelism, but '{up.Name}' has {up.Parallelism} and '{node.Name}' has {node.Parallelism}.");
                    }

                    var edge = new StreamEdge(up, node, edgePartitioner, tag, node.InputType!);
                    up.OutEdges.Add(edge);
                    node.InEdges.Add(edge);
                }

                result = [(node, null, null)];
                break;
            default:
                throw new NotSupportedException($"Unknown transformation {transformation.GetType().Name}.");
        }

        _resolved[transformation.Id] = result;
        return result;
    }

    private StreamNode AddNode(Transformation t, StreamType? inputType, OperatorFactory factory, Sources.ISourceDescriptor? source,
        IReadOnlyList<(StreamNode Node, StreamPartitioner? Partitioner, OutputTag? Tag)> upstream)
    {
        var parallelism = t.Parallelism > 0 ? t.Parallelism : environment.EffectiveParallelism;
        if (source is { MaxReaderParallelism: { } cap } && t.Parallelism <= 0)
        {
            parallelism = Math.Min(parallelism, cap);
        }

        var maxParallelism = t.MaxParallelism > 0
            ? t.MaxParallelism
            : environment.DefaultMaxParallelism(parallelism);
        KeyGroupRangeAssignment.CheckParallelism(maxParallelism, parallelism);

        string operatorId;
        if (t.Uid is { } uid)
        {
            if (!_uids.Add(uid))
            {
                throw new InvalidOperationException($"Uid '{uid}' is used by more than one operator; uids must be unique in a job.");
            }

            operatorId = Hash("uid:" + uid);
        }
        else
        {
            // Position-based: the node's creation index and its inputs' ids, so the same program gives the same ids.
            // Not the display name: renaming an operator must not change its id (and its state's identity).
            var inputs = string.Join(",", upstream.Select(u => u.Node.OperatorId + (u.Tag?.Id ?? string.Empty)));
            operatorId = Hash($"node:{t.Id}:{inputs}");
        }

        var node = new StreamNode(t.Id, t.Name, operatorId, parallelism, maxParallelism, inputType, t.OutputType, factory, source,
            t.ChainingEnabled, t is OneInputTransformation { IsSink: true });
        _nodes[t.Id] = node;
        return node;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}

/// <summary>Partitioners that need the consumer's max parallelism (key-group routing).</summary>
internal interface IMaxParallelismAware
{
    int MaxParallelism { get; set; }
}
