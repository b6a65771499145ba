using Rill.Api;

namespace Rill.Graph;

/// <summary>
/// The unit of scheduling: a chain of operators that runs as one task per parallel subtask. Built by every
/// process that needs it from the same program, so it holds live operator factories and is never serialized.
/// </summary>
public sealed class JobVertex
{
    internal JobVertex(string id, IReadOnlyList<StreamNode> chain)
    {
        Id = id;
        Chain = chain;
        Name = string.Join(" -> ", chain.Select(n => n.Name));
    }

    /// <summary>The head operator's id: stable for the same program.</summary>
    public string Id { get; }

    public string Name { get; }

    /// <summary>Chained operators in topological order, head first.</summary>
    public IReadOnlyList<StreamNode> Chain { get; }

    public StreamNode Head => Chain[0];

    public int Parallelism => Head.Parallelism;

    public int MaxParallelism => Head.MaxParallelism;

    public bool IsSource => Head.Source is not null;

    /// <summary>The most subtasks this vertex can run: its max parallelism, or less for a source that caps its readers.</summary>
    public int ParallelismCap => Chain.Min(n => Math.Min(n.MaxParallelism, n.Source?.MaxReaderParallelism ?? int.MaxValue));

    public List<JobEdge> Inputs { get; } = [];

    public List<IntermediateDataSet> Produced { get; } = [];

    public override string ToString() => $"{Name} (p={Parallelism})";
}

/// <summary>The output of one vertex along one non-chained stream edge.</summary>
public sealed class IntermediateDataSet(string id, JobVertex producer, StreamEdge streamEdge)
{
    public string Id { get; } = id;

    public JobVertex Producer { get; } = producer;

    public StreamEdge StreamEdge { get; } = streamEdge;

    public JobEdge? Consumer { get; internal set; }
}

public sealed class JobEdge(IntermediateDataSet source, JobVertex target)
{
    public IntermediateDataSet Source { get; } = source;

    public JobVertex Target { get; } = target;

    /// <summary>Pointwise (forward): producer i feeds consumer i only. Otherwise every producer feeds every consumer.</summary>
    public bool IsPointwise => Source.StreamEdge.Partitioner.IsPointwise;

    public string ShipStrategy => Source.StreamEdge.Partitioner.Name;
}

public sealed class JobGraph(Guid jobId, string jobName, RuntimeExecutionMode mode, ExecutionOptions options, IReadOnlyList<JobVertex> vertices)
{
    public Guid JobId { get; } = jobId;

    public string JobName { get; } = jobName;

    public RuntimeExecutionMode RuntimeMode { get; } = mode;

    public ExecutionOptions Options { get; } = options;

    /// <summary>The savepoint the job starts from; the program's choice, which a session submission may override.</summary>
    public Checkpointing.SavepointRestoreSettings? SavepointRestore { get; set; } = options.SavepointRestore;

    /// <summary>Vertices in topological order (sources first).</summary>
    public IReadOnlyList<JobVertex> Vertices { get; } = vertices;

    /// <summary>Slot sharing (Flink's default group): one slot per subtask index of the widest vertex.</summary>
    public int RequiredSlots => Vertices.Max(v => v.Parallelism);

    /// <summary>
    /// Identifies the plan's shape (vertices, parallelism, edges): two processes that rebuilt the job from the same
    /// program and arguments get the same value, so a TaskManager can refuse work meant for another build.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint();

    private string? _fingerprint;

    private string ComputeFingerprint()
    {
        var text = new System.Text.StringBuilder(JobName).Append('|').Append(RuntimeMode);
        foreach (var vertex in Vertices)
        {
            text.Append('|').Append(vertex.Id).Append(':').Append(vertex.Parallelism).Append('/').Append(vertex.MaxParallelism);
            foreach (var produced in vertex.Produced)
            {
                text.Append('>').Append(produced.Id).Append('@').Append(produced.Consumer?.Target.Id).Append('~').Append(produced.Consumer?.ShipStrategy);
            }
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>
    /// Sets vertices' parallelism (the adaptive scheduler's rescale; every process applies the same map before it
    /// deploys, so their plans and fingerprints agree). Throws when a vertex would exceed its max parallelism or a
    /// pointwise edge would join two different parallelisms.
    /// </summary>
    public void Rescale(IReadOnlyDictionary<string, int> parallelism)
    {
        foreach (var (vertexId, p) in parallelism)
        {
            var vertex = FindVertex(vertexId);
            if (p < 1 || p > vertex.ParallelismCap)
            {
                throw new ArgumentOutOfRangeException(nameof(parallelism), $"Vertex {vertex.Name} cannot run at parallelism {p} (1 to {vertex.ParallelismCap}).");
            }
        }

        foreach (var vertex in Vertices)
        {
            foreach (var edge in vertex.Inputs.Where(e => e.IsPointwise))
            {
                var producer = parallelism.GetValueOrDefault(edge.Source.Producer.Id, edge.Source.Producer.Parallelism);
                var consumer = parallelism.GetValueOrDefault(vertex.Id, vertex.Parallelism);
                if (producer != consumer)
                {
                    throw new ArgumentException($"Forward edge {edge.Source.Producer.Name} -> {vertex.Name} needs equal parallelism, got {producer} and {consumer}.");
                }
            }
        }

        foreach (var (vertexId, p) in parallelism)
        {
            foreach (var node in FindVertex(vertexId).Chain)
            {
                node.Parallelism = p;
            }
        }

        _fingerprint = null;
    }

    /// <summary>The current parallelism of every vertex (what a rescaled deployment carries).</summary>
    public IReadOnlyDictionary<string, int> VertexParallelism => Vertices.ToDictionary(v => v.Id, v => v.Parallelism);

    public JobVertex FindVertex(string id) => Vertices.FirstOrDefault(v => v.Id == id)
        ?? throw new KeyNotFoundException($"No vertex {id} in job {JobName}.");
}
