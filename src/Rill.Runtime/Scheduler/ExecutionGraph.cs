using Rill.Graph;
using Rill.Metrics;
using Rill.Network;
using Rill.Runtime.JobMaster;
using Rill.Runtime.Messages;
using Rill.Runtime.TaskExecutor;
using Rill.Tasks;

namespace Rill.Runtime.Scheduler;

/// <summary>One attempt to run one subtask.</summary>
public sealed class Execution(ExecutionVertex vertex, int attempt)
{
    public ExecutionVertex Vertex { get; } = vertex;

    public Guid AttemptId { get; } = Guid.NewGuid();

    public int AttemptNumber { get; } = attempt;

    public ExecutionState State { get; set; } = ExecutionState.Created;

    public ITaskExecutorGateway? TaskExecutor { get; set; }

    public Guid AllocationId { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    public DateTimeOffset? EndTime { get; set; }

    public Exception? Failure { get; set; }

    public IReadOnlyDictionary<string, long>? Accumulators { get; set; }

    public TaskIOMetricsSnapshot? Metrics { get; set; }

    /// <summary>The number of the next operator event or checkpoint trigger sent to this attempt (they are handled in this order).</summary>
    public long NextMessageSequence { get; set; }
}

/// <summary>One parallel subtask of a job vertex, across its attempts.</summary>
public sealed class ExecutionVertex(JobVertex jobVertex, int subtaskIndex)
{
    public JobVertex JobVertex { get; } = jobVertex;

    public int SubtaskIndex { get; } = subtaskIndex;

    public Execution Current { get; private set; } = null!;

    public string Name => $"{JobVertex.Name} ({SubtaskIndex + 1}/{JobVertex.Parallelism})";

    internal void ResetForAttempt(int attempt) => Current = new Execution(this, attempt);
}

/// <summary>The parallel form of the job graph: every subtask of every vertex and its current attempt.</summary>
public sealed class ExecutionGraph
{
    private readonly Dictionary<Guid, Execution> _byAttempt = [];

    public ExecutionGraph(JobGraph job)
    {
        Job = job;
        Vertices = job.Vertices.ToDictionary(v => v.Id, v => Enumerable.Range(0, v.Parallelism).Select(i => new ExecutionVertex(v, i)).ToArray());
        ResetForAttempt(0);
    }

    public JobGraph Job { get; }

    public int Attempt { get; private set; }

    public IReadOnlyDictionary<string, ExecutionVertex[]> Vertices { get; }

    public IEnumerable<Execution> CurrentExecutions => Job.Vertices.SelectMany(v => Vertices[v.Id]).Select(ev => ev.Current);

    /// <summary>Starts a fresh attempt of every subtask (a global restart).</summary>
    public void ResetForAttempt(int attempt)
    {
        Attempt = attempt;
        _byAttempt.Clear();
        foreach (var vertex in Vertices.Values.SelectMany(v => v))
        {
            vertex.ResetForAttempt(attempt);
            _byAttempt[vertex.Current.AttemptId] = vertex.Current;
        }
    }

    /// <summary>Null for an attempt that is no longer current (a message from before a restart).</summary>
    public Execution? FindCurrent(Guid attemptId) => _byAttempt.GetValueOrDefault(attemptId);

    public TaskDeploymentDescriptor CreateDeploymentDescriptor(Execution execution, Checkpointing.TaskRestore? restore = null)
    {
        var vertex = execution.Vertex.JobVertex;
        var subtask = execution.Vertex.SubtaskIndex;
        var gates = new List<InputGateDescriptor>();
        foreach (var edge in vertex.Inputs)
        {
            var producer = edge.Source.Producer;
            var channels = edge.IsPointwise
                ? [new InputChannelDescriptor(PartitionId(edge.Source, subtask), 1, 0, RemoteAddress(producer, subtask, execution))]
                : Enumerable.Range(0, producer.Parallelism)
                    .Select(p => new InputChannelDescriptor(PartitionId(edge.Source, p), vertex.Parallelism, subtask, RemoteAddress(producer, p, execution)))
                    .ToList();
            gates.Add(new InputGateDescriptor(edge, channels));
        }

        var produced = vertex.Produced
            .Select(d => new ResultPartitionDescriptor(d, PartitionId(d, subtask), d.Consumer!.IsPointwise ? 1 : d.Consumer.Target.Parallelism))
            .ToList();
        return new TaskDeploymentDescriptor(Job, vertex, subtask, execution.AttemptNumber, execution.AttemptId, gates, produced, restore);
    }

    /// <summary>The producer's data address when it runs on another TaskManager (that serves data over TCP), else null.</summary>
    private System.Net.IPEndPoint? RemoteAddress(JobVertex producer, int producerSubtask, Execution consumer)
    {
        var producerExecutor = Vertices[producer.Id][producerSubtask].Current.TaskExecutor;
        return producerExecutor is not null && producerExecutor.TaskManagerId != consumer.TaskExecutor?.TaskManagerId ? producerExecutor.DataAddress : null;
    }

    private ResultPartitionId PartitionId(IntermediateDataSet dataSet, int producerSubtask) =>
        new(Job.JobId, dataSet.Id, producerSubtask, Vertices[dataSet.Producer.Id][producerSubtask].Current.AttemptNumber);
}
